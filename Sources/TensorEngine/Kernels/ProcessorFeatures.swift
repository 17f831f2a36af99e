#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the processor offers beyond the AVX2 + FMA baseline the engine is compiled for, read
/// once from `/proc/cpuinfo`: kernels with a wider variant (``hasAVX512``) choose it at run time.
/// `RUNNER_DISABLE_AVX512=1` keeps the engine's own kernels on AVX2 (to compare the two, or on a
/// machine where a hypervisor reports AVX-512 it does not preserve); OpenBLAS's kernel family is
/// `OPENBLAS_CORETYPE`'s to choose (see ``OpenBLASRuntime``).
public enum ProcessorFeatures {
    /// The feature flags of the first processor in `/proc/cpuinfo` (empty where there is none).
    public static let flags: Set<String> = readFlags()

    /// AVX-512 F, VL, BW, DQ and CD: what the engine's sixteen-lane kernels and OpenBLAS's
    /// SkylakeX kernels use.
    public static let hasAVX512: Bool = {
        if let disabled = getenv("RUNNER_DISABLE_AVX512"), String(cString: disabled) == "1" { return false }
        return flags.isSuperset(of: avx512Flags)
    }()

    /// AVX-512 and its bfloat16 instructions (`vcvtne2ps2bf16`, `vdpbf16ps`): what
    /// ``ProductPrecision/bfloat16`` products run on. `RUNNER_DISABLE_BF16=1` turns them off (a
    /// mixed-precision recipe then runs in float32, as on a processor without them).
    public static let hasBFloat16: Bool = {
        if let disabled = getenv("RUNNER_DISABLE_BF16"), String(cString: disabled) == "1" { return false }
        return hasAVX512 && flags.contains("avx512_bf16")
    }()

    static let avx512Flags: Set<String> = ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]

    private static func readFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let text = line {
            let entry = String(cString: text)
            guard entry.hasPrefix("flags"), let colon = entry.firstIndex(of: ":") else { continue }
            return Set(entry[entry.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        return []
    }
}
