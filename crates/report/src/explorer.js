// The report's explorer (see explorer.rs): validation curves with models toggled on and off and
// values on hover, and every model's translation of a picked test sentence. No network, no
// library: the data are the JSON element beside this script.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const svgNs = "http://www.w3.org/2000/svg";
  const byId = (id) => document.getElementById(id);
  const hidden = new Set();
  let metric = 0;

  function element(name, attributes, parent) {
    const node = document.createElementNS(svgNs, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    parent.appendChild(node);
    return node;
  }

  // Ticks at 1, 2 or 5 times a power of ten, about five over the range.
  function ticks(low, high) {
    const step0 = (high - low) / 5 || 1;
    const power = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= step0);
    const out = [];
    for (let t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) out.push(+t.toPrecision(6));
    return out;
  }

  function drawChart() {
    const svg = byId("explorer-chart");
    svg.replaceChildren();
    const [width, height, left, right, top, bottom] = [900, 380, 70, 20, 20, 50];
    const shown = data.models.filter((m) => !hidden.has(m.name));
    const points = shown.flatMap((m) => m.curves[metric]);
    svg.setAttribute("data-models", shown.map((m) => m.name).join(","));
    if (points.length === 0) {
      element("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, svg).textContent = "no model ticked";
      return;
    }
    const epochs = points.map((p) => p[0]);
    const values = points.map((p) => p[1]);
    const [x0, x1] = [Math.min(...epochs), Math.max(...epochs)];
    let [y0, y1] = [Math.min(...values), Math.max(...values)];
    if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
    const x = (e) => left + ((e - x0) / (x1 - x0 || 1)) * (width - left - right);
    const y = (v) => height - bottom - ((v - y0) / (y1 - y0)) * (height - top - bottom);
    const axis = { stroke: "#444", "stroke-width": 1 };
    element("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, ...axis }, svg);
    element("line", { x1: left, y1: top, x2: left, y2: height - bottom, ...axis }, svg);
    for (const e of ticks(x0, x1).filter(Number.isInteger)) {
      element("text", { x: x(e), y: height - bottom + 18, "text-anchor": "middle", "font-size": 12 }, svg).textContent = e;
    }
    for (const v of ticks(y0, y1)) {
      element("line", { x1: left, y1: y(v), x2: width - right, y2: y(v), stroke: "#eee" }, svg);
      element("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 12 }, svg).textContent = v;
    }
    element("text", { x: (left + width - right) / 2, y: height - 10, "text-anchor": "middle", "font-size": 13 }, svg)
      .textContent = "epoch";
    element("text", { x: 16, y: (top + height - bottom) / 2, "text-anchor": "middle", "font-size": 13,
      transform: `rotate(-90 16 ${(top + height - bottom) / 2})` }, svg).textContent = data.metrics[metric][1];
    for (const model of shown) {
      const curve = model.curves[metric];
      const path = curve.map((p, i) => `${i ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
      element("path", { d: path, fill: "none", stroke: model.colour, "stroke-width": 2,
        "stroke-dasharray": model.dashed ? "7 4" : "none", "data-model": model.name }, svg);
      for (const [e, v] of curve) {
        const dot = element("circle", { cx: x(e), cy: y(v), r: 4, fill: model.colour }, svg);
        const text = `${model.name}, epoch ${e}: ${v.toFixed(3)}`;
        element("title", {}, dot).textContent = text;
        dot.addEventListener("mouseenter", () => { byId("explorer-readout").textContent = text; });
      }
    }
  }

  function showSentence(n) {
    const count = data.sources.length;
    const i = Math.min(Math.max(1, Math.round(n) || 1), count) - 1;
    byId("explorer-sentence").value = i + 1;
    const table = byId("explorer-translations");
    table.setAttribute("data-sentence", i + 1);
    table.replaceChildren();
    const row = (cells, header) => {
      const tr = table.insertRow();
      for (const [text, cls] of cells) {
        const cell = document.createElement(header ? "th" : "td");
        cell.textContent = text;
        if (cls) cell.className = cls;
        tr.appendChild(cell);
      }
      return tr;
    };
    row([["model"], ["translation"], ["exact"]], true);
    row([["source"], [data.sources[i]], [""]]);
    row([["reference"], [data.references[i]], [""]]);
    for (const model of data.models.filter((m) => m.translations.length > 0)) {
      const said = model.translations[i];
      const exact = said === data.references[i];
      row([[model.name], [said], [exact ? "yes" : "no", exact ? "exact" : "wrong"]]).setAttribute("data-model", model.name);
    }
    drawAttention();
  }

  // The attention map of the picked model on the picked sentence: a cell per (output, source)
  // token, darker for more weight, its value on hover.
  function drawAttention() {
    const svg = byId("explorer-attention");
    svg.replaceChildren();
    const i = +byId("explorer-sentence").value - 1;
    const model = data.models.find((m) => m.name === byId("explorer-attention-model").value);
    const note = byId("explorer-attention-note");
    const map = model && model.attention[i];
    svg.setAttribute("data-model", model ? model.name : "");
    svg.setAttribute("data-sentence", map ? i + 1 : "");
    if (!model) { note.textContent = "no model here attends"; return; }
    if (!map) { note.textContent = `kept for the first ${model.attention.length} test sentences`; return; }
    note.textContent = "rows: the words it wrote; columns: the source; darker is more weight";
    const [cell, left, top] = [26, 8 + 7 * Math.max(...map.output.map((t) => t.length)), 8 + 7 * Math.max(...map.source.map((t) => t.length))];
    const [width, height] = [left + cell * map.source.length + 10, top + cell * map.output.length + 10];
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.style.maxWidth = "100%";
    map.source.forEach((token, c) => {
      const x = left + c * cell + cell / 2;
      element("text", { x, y: top - 6, "font-size": 12, transform: `rotate(-60 ${x} ${top - 6})` }, svg).textContent = token;
    });
    map.output.forEach((token, r) => {
      element("text", { x: left - 6, y: top + r * cell + cell / 2 + 4, "text-anchor": "end", "font-size": 12 }, svg).textContent = token;
      map.weights[r].forEach((w, c) => {
        const shade = Math.round(255 * (1 - w));
        const rect = element("rect", { x: left + c * cell, y: top + r * cell, width: cell - 1, height: cell - 1,
          fill: `rgb(${shade},${shade},${Math.round(255 - 120 * w)})` }, svg);
        element("title", {}, rect).textContent = `${token} ← ${map.source[c]}: ${w.toFixed(3)}`;
      });
    });
  }

  const select = byId("explorer-metric");
  data.metrics.forEach(([column, label], i) => select.add(new Option(label, column, i === 0, i === 0)));
  select.addEventListener("change", () => { metric = select.selectedIndex; drawChart(); });
  const boxes = byId("explorer-models");
  for (const model of data.models) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = model.name;
    box.addEventListener("change", () => { box.checked ? hidden.delete(model.name) : hidden.add(model.name); drawChart(); });
    label.append(box, " ");
    const name = document.createElement("span");
    name.textContent = model.name;
    name.style.color = model.colour;
    label.appendChild(name);
    boxes.appendChild(label);
  }
  const attending = byId("explorer-attention-model");
  for (const model of data.models.filter((m) => m.attention.length > 0)) attending.add(new Option(model.name, model.name));
  attending.addEventListener("change", drawAttention);
  byId("explorer-count").textContent = `of ${data.sources.length}`;
  byId("explorer-sentence").max = data.sources.length;
  byId("explorer-sentence").addEventListener("input", (e) => showSentence(+e.target.value));
  byId("explorer-previous").addEventListener("click", () => showSentence(+byId("explorer-sentence").value - 1));
  byId("explorer-next").addEventListener("click", () => showSentence(+byId("explorer-sentence").value + 1));
  byId("explorer-find").addEventListener("change", (e) => {
    const word = e.target.value.trim().toLowerCase();
    const found = data.sources.findIndex((s) => s.toLowerCase().split(" ").includes(word));
    if (found >= 0) showSentence(found + 1);
  });
  drawChart();
  showSentence(1);

  // `#sentence=17&hide=rnn,lstm&metric=bleu`: the same events a reader's clicks send.
  const wanted = new URLSearchParams(location.hash.slice(1));
  if (wanted.has("metric")) {
    select.value = wanted.get("metric");
    select.dispatchEvent(new Event("change"));
  }
  for (const name of (wanted.get("hide") || "").split(",").filter(Boolean)) {
    const box = [...boxes.querySelectorAll("input")].find((b) => b.value === name);
    if (box && box.checked) box.click();
  }
  if (wanted.has("attention")) {
    attending.value = wanted.get("attention");
    attending.dispatchEvent(new Event("change"));
  }
  if (wanted.has("sentence")) {
    const input = byId("explorer-sentence");
    input.value = wanted.get("sentence");
    input.dispatchEvent(new Event("input"));
  }
})();
