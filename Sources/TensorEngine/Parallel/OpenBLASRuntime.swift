import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS as the engine runs it: one thread, and a GEMM kernel that fits the processor.
///
/// OpenBLAS builds with `DYNAMIC_ARCH` (Debian's) pick their kernels by CPU model. A build older
/// than the processor does not know its model and falls back to its oldest x86-64 kernel
/// (Prescott, SSE3): on a Xeon with AVX-512 that runs GEMMs at a fifth of the speed its
/// SkylakeX kernel reaches (65 instead of 314 GFLOP/s on two cores, measured with
/// `runner bench`). When that happens and `OPENBLAS_CORETYPE` is not set, the engine names the
/// kernel family the processor's features allow (SkylakeX with AVX-512, Haswell with AVX2 + FMA)
/// and has OpenBLAS choose again, before any BLAS call. A core OpenBLAS did recognise is never
/// changed, and `OPENBLAS_CORETYPE` always wins.
public enum OpenBLASRuntime {
    /// What the engine found and did, for benchmark headers and logs.
    public struct Configuration: Sendable, Equatable {
        /// OpenBLAS's kernel family in use, e.g. `SkylakeX`.
        public let coreName: String
        /// The family OpenBLAS had chosen on its own when the engine replaced it, else nil.
        public let replacedCoreName: String?
    }

    /// Configures OpenBLAS once (one thread, kernel family) and reports the result. Called by
    /// ``ThreadPool/shared`` before anything can reach a BLAS routine.
    public static let configuration: Configuration = {
        openblas_set_num_threads(1)
        let detected = currentCoreName()
        guard getenv("OPENBLAS_CORETYPE") == nil,
              let better = preferredCore(detected: detected, cpuFlags: ProcessorFeatures.flags),
              let reinitialise = dynamicInitialisers() else {
            return Configuration(coreName: detected, replacedCoreName: nil)
        }
        setenv("OPENBLAS_CORETYPE", better, 0)
        reinitialise.quit()
        reinitialise.initialise()
        openblas_set_num_threads(1)
        let chosen = currentCoreName()
        return Configuration(coreName: chosen, replacedCoreName: chosen == detected ? nil : detected)
    }()

    /// The kernel family OpenBLAS should use instead of `detected`, or nil to keep it: only a
    /// core without AVX2 (OpenBLAS's fallback for processors it does not know) on a processor
    /// whose `/proc/cpuinfo` flags offer AVX2 + FMA or AVX-512 is replaced.
    public static func preferredCore(detected: String, cpuFlags: Set<String>) -> String? {
        guard tier(ofCore: detected) == 0 else { return nil }
        if cpuFlags.isSuperset(of: ProcessorFeatures.avx512Flags) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// 2 for OpenBLAS's AVX-512 kernel families, 1 for its AVX2 ones, 0 for the rest (SSE or AVX
    /// without FMA) — by OpenBLAS's core names, compared case-insensitively.
    static func tier(ofCore name: String) -> Int {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 2
        case "haswell", "zen", "excavator": return 1
        default: return 0
        }
    }

    /// The kernel family OpenBLAS is using now.
    static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's `gotoblas_dynamic_quit` / `gotoblas_dynamic_init`, which only `DYNAMIC_ARCH`
    /// builds have; looked up at run time so that other builds still link.
    private static func dynamicInitialisers() -> (quit: @convention(c) () -> Void, initialise: @convention(c) () -> Void)? {
        #if canImport(Glibc)
        let handle = UnsafeMutableRawPointer(bitPattern: 0)   // RTLD_DEFAULT
        #else
        let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #endif
        guard let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialise = dlsym(handle, "gotoblas_dynamic_init") else { return nil }
        typealias Routine = @convention(c) () -> Void
        return (unsafeBitCast(quit, to: Routine.self), unsafeBitCast(initialise, to: Routine.self))
    }
}
