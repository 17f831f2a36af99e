import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import TensorEngine

@Suite struct OpenBLASRuntimeTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]
    let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    @Test func replacesOpenBLASsFallbackWithWhatTheProcessorAllows() {
        #expect(OpenBLASRuntime.preferredCore(detected: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(OpenBLASRuntime.preferredCore(detected: "Prescott", cpuFlags: avx2) == "Haswell")
        #expect(OpenBLASRuntime.preferredCore(detected: "Sandybridge", cpuFlags: avx2) == "Haswell")
        #expect(OpenBLASRuntime.preferredCore(detected: "Core2", cpuFlags: avx512) == "SkylakeX")
    }

    @Test func keepsACoreOpenBLASRecognised() {
        #expect(OpenBLASRuntime.preferredCore(detected: "Haswell", cpuFlags: avx512) == nil)
        #expect(OpenBLASRuntime.preferredCore(detected: "Zen", cpuFlags: avx512) == nil)
        #expect(OpenBLASRuntime.preferredCore(detected: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(OpenBLASRuntime.preferredCore(detected: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(OpenBLASRuntime.preferredCore(detected: "Prescott", cpuFlags: []) == nil)
    }

    /// On this machine the kernel in use is at least an AVX2 one where the processor has AVX2 and
    /// FMA, unless `OPENBLAS_CORETYPE` chose otherwise (OpenBLAS honours it and the engine leaves it).
    @Test func runningCoreMatchesTheProcessor() {
        _ = ThreadPool.shared
        let configuration = OpenBLASRuntime.configuration
        #expect(configuration.coreName == OpenBLASRuntime.currentCoreName())
        let flags = ProcessorFeatures.flags
        if getenv("OPENBLAS_CORETYPE") == nil || configuration.replacedCoreName != nil, flags.isSuperset(of: ["avx2", "fma"]) {
            #expect(OpenBLASRuntime.tier(ofCore: configuration.coreName) >= 1)
        }
        if let replaced = configuration.replacedCoreName {
            #expect(OpenBLASRuntime.tier(ofCore: replaced) == 0)
        }
    }
}
