"""PyTorch twins of the workbench's architectures, timed like `workbench bench`.

Same default sizes, vocabulary, batch shapes, optimizer (Adam, lr 1e-4, global-norm clipping 1.0),
dropout 0.1, thread count; eager PyTorch with its fused recurrent layers (nn.LSTM / nn.RNN) where
the model allows them, LSTMCell loops where attention needs the state of every step. Run by
`workbench bench --pytorch PYTHON`, which compares the two in one run; see README.md beside this file.

Differences that remain (printed parameter counts show them): PyTorch's recurrent layers carry two
bias vectors where the workbench's cells carry one; nothing else.
"""

import argparse
import json
import math
import statistics
import time
import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # numpy is not needed

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

SPECIALS = 5  # <pad> <sos> <eos> <unk> <blank>
SOS, EOS, BLANK = 1, 2, 4
SLACK = 4  # position-wise models: output slots beyond the source length


class Ann(nn.Module):
    """Feed-forward network over a window of 2·2 + 1 source words, one output per slot."""

    def __init__(self, vocab, embedding=64, hidden=256, window=2, dropout=0.1):
        super().__init__()
        self.window = window
        self.embedding = nn.Embedding(vocab, embedding)
        self.hidden = nn.Linear((2 * window + 1) * embedding, hidden)
        self.output = nn.Linear(hidden, vocab)
        self.dropout = nn.Dropout(dropout)

    def slots(self, slots):
        e = self.embedding(slots)  # [batch, slots, emb]
        padded = F.pad(e, (0, 0, self.window, self.window))
        n = slots.shape[1]
        z = torch.cat([padded[:, k : k + n] for k in range(2 * self.window + 1)], dim=2)
        h = torch.relu(self.hidden(self.dropout(z)))
        return self.output(self.dropout(h))


class Recurrent(nn.Module):
    """Embedding → Elman RNN or LSTM (one or both directions) → a softmax layer per slot."""

    def __init__(self, vocab, cell="lstm", bidirectional=False, size=128, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, size)
        layer = nn.LSTM if cell == "lstm" else nn.RNN
        self.rnn = layer(size, size, batch_first=True, bidirectional=bidirectional)
        self.output = nn.Linear(size * (2 if bidirectional else 1), vocab)
        self.dropout = nn.Dropout(dropout)

    def slots(self, slots):
        states, _ = self.rnn(self.dropout(self.embedding(slots)))
        return self.output(self.dropout(states))


class Conv(nn.Module):
    """Embedding → 4 gated convolutions (kernel 3, centred, GLU, residual × √½) → a softmax layer per slot."""

    def __init__(self, vocab, channels=128, layers=4, kernel=3, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, channels)
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, 2 * channels, kernel, padding=kernel // 2) for _ in range(layers)
        )
        self.output = nn.Linear(channels, vocab)
        self.dropout = nn.Dropout(dropout)

    def slots(self, slots):
        h = self.embedding(slots)  # [batch, slots, channels]
        for conv in self.convs:
            gated = F.glu(conv(self.dropout(h).transpose(1, 2)), dim=1).transpose(1, 2)
            h = (gated + h) * math.sqrt(0.5)
        return self.output(self.dropout(h))


class ConvS2S(nn.Module):
    """ConvS2S: learned positions, 4 centred gated convolutions over the source (padding masked), 3
    causal ones over the target, each followed by its own attention (kernel 3, width 128, GLU,
    residuals × √½, values √m · √½ (z + e)), as the workbench's `convs2s`."""

    autoregressive = True

    def __init__(self, vocab, d=128, encoder_layers=4, decoder_layers=3, kernel=3, positions=256, dropout=0.1):
        super().__init__()
        embedding = lambda n: nn.Embedding(n, d)  # noqa: E731
        self.source_embedding, self.source_positions = embedding(vocab), embedding(positions)
        self.target_embedding, self.target_positions = embedding(vocab), embedding(positions)
        for table in [self.source_embedding, self.source_positions, self.target_embedding, self.target_positions]:
            nn.init.normal_(table.weight, std=0.1)
        self.encoder = nn.ModuleList(nn.Conv1d(d, 2 * d, kernel, padding=kernel // 2) for _ in range(encoder_layers))
        self.decoder = nn.ModuleList(nn.Conv1d(d, 2 * d, kernel) for _ in range(decoder_layers))
        self.query = nn.ModuleList(nn.Linear(d, d) for _ in range(decoder_layers))
        self.attended = nn.ModuleList(nn.Linear(d, d) for _ in range(decoder_layers))
        self.output = nn.Linear(d, vocab)
        self.dropout = nn.Dropout(dropout)
        self.kernel = kernel

    def embed(self, embedding, positions, tokens):
        at = torch.arange(tokens.shape[1]).clamp(max=positions.num_embeddings - 1)
        return self.dropout(embedding(tokens) + positions(at))

    def encode(self, source):
        e = self.embed(self.source_embedding, self.source_positions, source)
        mask = (source != 0).float().unsqueeze(-1)  # [batch, src, 1]
        z = e
        for conv in self.encoder:
            gated = F.glu(conv(self.dropout(z * mask).transpose(1, 2)), dim=1).transpose(1, 2)
            z = (gated + z) * math.sqrt(0.5)
        values = (z + e) * math.sqrt(0.5) * mask.sum(1, keepdim=True).clamp(min=1).sqrt()
        bias = ((mask - 1) * 1e9).transpose(1, 2)  # [batch, 1, src]
        return z, values, bias

    def decode(self, memory, target_input):
        z, values, bias = memory
        g = self.embed(self.target_embedding, self.target_positions, target_input)
        h = g
        for conv, query, attended in zip(self.decoder, self.query, self.attended):
            x = F.pad(self.dropout(h).transpose(1, 2), (self.kernel - 1, 0))  # causal
            gated = F.glu(conv(x), dim=1).transpose(1, 2)
            weights = torch.softmax((query(gated) + g) * math.sqrt(0.5) @ z.transpose(1, 2) + bias, dim=-1)
            out = (attended(weights @ values) + gated) * math.sqrt(0.5)
            h = (out + h) * math.sqrt(0.5)
        return self.output(self.dropout(h))

    def forward(self, source, target_input):
        return self.decode(self.encode(source), target_input)

    def generate(self, source, max_len):
        # No window cache: the whole prefix is decoded again at every step.
        memory = self.encode(source)
        tokens = torch.full((source.shape[0], 1), SOS, dtype=source.dtype)
        for _ in range(max_len):
            previous = self.decode(memory, tokens)[:, -1].argmax(-1, keepdim=True)
            tokens = torch.cat([tokens, previous], dim=1)
        return tokens[:, 1:]


class PositionWise(nn.Module):
    """Reads the source padded with <blank> slots; one output per slot (as the workbench's)."""

    autoregressive = False

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def slot_inputs(self, source, steps):
        blanks = max(source.shape[1] + SLACK, steps) - source.shape[1]
        return torch.cat([source, torch.full((source.shape[0], blanks), BLANK, dtype=source.dtype)], dim=1)

    def forward(self, source, target_input):
        steps = target_input.shape[1]
        return self.inner.slots(self.slot_inputs(source, steps))[:, :steps]

    def generate(self, source, max_len):
        return self.inner.slots(self.slot_inputs(source, 0)).argmax(-1)


class EncoderDecoder(nn.Module):
    """LSTM encoder; LSTM decoder from its final state, the context fed to every step."""

    autoregressive = True

    def __init__(self, vocab, size=128, dropout=0.1):
        super().__init__()
        self.source_embedding = nn.Embedding(vocab, size)
        self.target_embedding = nn.Embedding(vocab, size)
        self.encoder = nn.LSTM(size, size, batch_first=True)
        self.decoder = nn.LSTM(2 * size, size, batch_first=True)
        self.output = nn.Linear(size, vocab)
        self.dropout = nn.Dropout(dropout)

    def encode(self, source):
        _, (h, c) = self.encoder(self.dropout(self.source_embedding(source)))
        return h, c

    def forward(self, source, target_input):
        h, c = self.encode(source)
        gold = self.dropout(self.target_embedding(target_input))
        context = h[0].unsqueeze(1).expand(-1, gold.shape[1], -1)
        tops, _ = self.decoder(torch.cat([gold, context], dim=2), (h, c))
        return self.output(self.dropout(tops))

    def generate(self, source, max_len):
        h, c = self.encode(source)
        context = h[0].unsqueeze(1)
        previous = torch.full((source.shape[0], 1), SOS, dtype=source.dtype)
        out = []
        for _ in range(max_len):
            top, (h, c) = self.decoder(torch.cat([self.target_embedding(previous), context], dim=2), (h, c))
            previous = self.output(top).argmax(-1)
            out.append(previous)
        return torch.cat(out, dim=1)


class Bahdanau(nn.Module):
    """Bidirectional LSTM encoder; additive attention from s_{i-1}; LSTMCell decoder."""

    autoregressive = True

    def __init__(self, vocab, e=128, h=128, attention=128, dropout=0.1):
        super().__init__()
        self.source_embedding = nn.Embedding(vocab, e)
        self.target_embedding = nn.Embedding(vocab, e)
        self.encoder = nn.LSTM(e, h, batch_first=True, bidirectional=True)
        self.init = nn.Linear(h, h)
        self.query = nn.Linear(h, attention, bias=False)
        self.key = nn.Linear(2 * h, attention)
        self.v = nn.Linear(attention, 1, bias=False)
        self.decoder = nn.LSTMCell(e + 2 * h, h)
        self.output = nn.Linear(h + 2 * h + e, vocab)
        self.dropout = nn.Dropout(dropout)
        self.h = h

    def encode(self, source):
        annotations, (hn, _) = self.encoder(self.dropout(self.source_embedding(source)))
        s = torch.tanh(self.init(hn[1]))  # the backward direction's state at the first word
        return annotations, self.key(annotations), (s, torch.zeros_like(s))

    def step(self, annotations, keys, embedded, state):
        scores = self.v(torch.tanh(keys + self.query(state[0]).unsqueeze(1))).squeeze(2)
        weights = torch.softmax(scores, dim=1)
        context = torch.bmm(weights.unsqueeze(1), annotations).squeeze(1)
        state = self.decoder(torch.cat([embedded, context], dim=1), state)
        return state, torch.cat([state[0], context, embedded], dim=1)

    def forward(self, source, target_input):
        annotations, keys, state = self.encode(source)
        gold = self.dropout(self.target_embedding(target_input))
        features = []
        for t in range(gold.shape[1]):
            state, f = self.step(annotations, keys, gold[:, t], state)
            features.append(f)
        return self.output(self.dropout(torch.stack(features, dim=1)))

    def generate(self, source, max_len):
        annotations, keys, state = self.encode(source)
        previous = torch.full((source.shape[0],), SOS, dtype=source.dtype)
        out = []
        for _ in range(max_len):
            state, f = self.step(annotations, keys, self.target_embedding(previous), state)
            previous = self.output(f).argmax(-1)
            out.append(previous)
        return torch.stack(out, dim=1)


class Luong(nn.Module):
    """LSTM encoder; LSTMCell decoder with input feeding; the `general` score."""

    autoregressive = True

    def __init__(self, vocab, e=128, h=128, dropout=0.1):
        super().__init__()
        self.source_embedding = nn.Embedding(vocab, e)
        self.target_embedding = nn.Embedding(vocab, e)
        self.encoder = nn.LSTM(e, h, batch_first=True)
        self.decoder = nn.LSTMCell(e + h, h)
        self.general = nn.Linear(h, h, bias=False)
        self.combine = nn.Linear(2 * h, h, bias=False)
        self.output = nn.Linear(h, vocab)
        self.dropout = nn.Dropout(dropout)

    def encode(self, source):
        states, (hn, cn) = self.encoder(self.dropout(self.source_embedding(source)))
        return states, self.general(states), (hn[0], cn[0]), torch.zeros_like(hn[0])

    def step(self, states, keys, embedded, state, attentional):
        state = self.decoder(torch.cat([embedded, attentional], dim=1), state)
        weights = torch.softmax(torch.bmm(keys, state[0].unsqueeze(2)).squeeze(2), dim=1)
        context = torch.bmm(weights.unsqueeze(1), states).squeeze(1)
        return state, torch.tanh(self.combine(torch.cat([context, state[0]], dim=1)))

    def forward(self, source, target_input):
        states, keys, state, attentional = self.encode(source)
        gold = self.dropout(self.target_embedding(target_input))
        out = []
        for t in range(gold.shape[1]):
            state, attentional = self.step(states, keys, gold[:, t], state, attentional)
            out.append(attentional)
        return self.output(self.dropout(torch.stack(out, dim=1)))

    def generate(self, source, max_len):
        states, keys, state, attentional = self.encode(source)
        previous = torch.full((source.shape[0],), SOS, dtype=source.dtype)
        out = []
        for _ in range(max_len):
            state, attentional = self.step(states, keys, self.target_embedding(previous), state, attentional)
            previous = self.output(attentional).argmax(-1)
            out.append(previous)
        return torch.stack(out, dim=1)


def sinusoids(length, d):
    position = torch.arange(length).unsqueeze(1)
    scale = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    table = torch.zeros(length, d)
    table[:, 0::2] = torch.sin(position * scale)
    table[:, 1::2] = torch.cos(position * scale)
    return table


class Transformer(nn.Module):
    """Post-norm Transformer, 2 + 2 layers, d_model 128, 4 heads, d_ff 256, tied output."""

    autoregressive = True

    def __init__(self, vocab, d=128, heads=4, layers=2, d_ff=256, dropout=0.1):
        super().__init__()
        self.d = d
        self.source_embedding = nn.Embedding(vocab, d)
        self.target_embedding = nn.Embedding(vocab, d)
        nn.init.normal_(self.source_embedding.weight, std=d**-0.5)
        nn.init.normal_(self.target_embedding.weight, std=d**-0.5)
        enc = nn.TransformerEncoderLayer(d, heads, d_ff, dropout, batch_first=True)
        dec = nn.TransformerDecoderLayer(d, heads, d_ff, dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc, layers, enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, layers)
        self.register_buffer("positions", sinusoids(256, d))
        self.dropout = nn.Dropout(dropout)

    def embed(self, embedding, tokens):
        return self.dropout(embedding(tokens) * math.sqrt(self.d) + self.positions[: tokens.shape[1]])

    def decode(self, memory, target_input):
        n = target_input.shape[1]
        causal = torch.triu(torch.full((n, n), float("-inf")), diagonal=1)
        y = self.decoder(self.embed(self.target_embedding, target_input), memory, tgt_mask=causal)
        return y @ self.target_embedding.weight.t()

    def forward(self, source, target_input):
        return self.decode(self.encoder(self.embed(self.source_embedding, source)), target_input)

    def generate(self, source, max_len):
        # No key/value cache: the whole prefix is decoded again at every step.
        memory = self.encoder(self.embed(self.source_embedding, source))
        tokens = torch.full((source.shape[0], 1), SOS, dtype=source.dtype)
        for _ in range(max_len):
            previous = self.decode(memory, tokens)[:, -1].argmax(-1, keepdim=True)
            tokens = torch.cat([tokens, previous], dim=1)
        return tokens[:, 1:]


def build(arch, vocab):
    return {
        "ann": lambda: PositionWise(Ann(vocab)),
        "rnn": lambda: PositionWise(Recurrent(vocab, cell="rnn")),
        "lstm": lambda: PositionWise(Recurrent(vocab, cell="lstm")),
        "birnn": lambda: PositionWise(Recurrent(vocab, cell="lstm", bidirectional=True)),
        "encdec": lambda: EncoderDecoder(vocab),
        "bahdanau": lambda: Bahdanau(vocab),
        "luong": lambda: Luong(vocab),
        "conv": lambda: PositionWise(Conv(vocab)),
        "convs2s": lambda: ConvS2S(vocab),
        "transformer": lambda: Transformer(vocab),
    }[arch]()


def timed(warmup, repeats, f):
    for _ in range(warmup):
        f()
    ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        ms.append((time.perf_counter() - start) * 1e3)
    return statistics.median(ms)


def bench(arch, args):
    torch.manual_seed(42)
    model = build(arch, args.vocab)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    words = lambda n: torch.randint(SPECIALS, args.vocab, (args.batch, n))
    source, target = words(args.source_len), words(args.target_len)
    target_input = torch.cat([torch.full((args.batch, 1), SOS), target], dim=1)
    target_output = torch.cat([target, torch.full((args.batch, 1), EOS)], dim=1)

    def step():
        model.train()
        logits = model(source, target_input)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target_output.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    step_ms = timed(args.warmup, args.repeats, step)

    def generate():
        model.eval()
        with torch.no_grad():
            model.generate(source, args.target_len + 1)

    generate_ms = timed(args.warmup, args.repeats, generate)
    tokens = target_output.numel()
    return {
        "arch": arch,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_step_median_ms": step_ms,
        "train_tokens_per_second": tokens / (step_ms / 1e3),
        "generate_sentences_per_second": args.batch / (generate_ms / 1e3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="ann,rnn,lstm,birnn,encdec,bahdanau,luong,conv,convs2s,transformer")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--source-len", type=int, default=20)
    parser.add_argument("--target-len", type=int, default=20)
    parser.add_argument("--vocab", type=int, default=105, help="vocabulary size, special tokens included")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for arch in args.archs.split(","):
        result = bench(arch, args)
        print(f"{arch:12} {result['parameters']:>9} parameters  {result['train_tokens_per_second']:>9.0f} tokens/s")
        results.append(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
