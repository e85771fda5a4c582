//! What a run ran on, for labelling its timings: the processor, the backend and the threads.

use crate::Backend;

/// The processor's name (`model name` in `/proc/cpuinfo`; the architecture elsewhere).
pub fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// `Intel(R) Xeon(R) Processor, flex, 1 thread`: the processor, the backend (not which card of a
/// GPU backend) and the threads of the pool the CPU backends compute on.
pub fn describe(backend: Backend) -> String {
    let threads = rayon::current_num_threads();
    format!("{}, {}, {threads} thread{}", cpu_name(), backend.name(), if threads == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_names_the_backend_and_the_threads_of_the_pool() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let label = pool.install(|| describe(Backend::Ndarray));
        assert!(label.ends_with(", ndarray, 3 threads"), "{label}");
        assert!(!label.starts_with(','), "a processor name first: {label}");
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert!(single.install(|| describe(Backend::Flex)).ends_with(", flex, 1 thread"));
    }
}
