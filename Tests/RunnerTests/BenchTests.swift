import Foundation
import Testing
import Datasets
import TensorEngine

/// `runner bench --model`: a tiny SwinV2 through the whole measurement (train steps with the AdamW
/// update, evaluation, FLOPs, memory), read back from `--json`.
@Suite struct ModelBenchTests {
    /// `runner bench` on a two-stage SwinV2 of 32-pixel, one-channel images, batch 4.
    static func tinyModel(embedDimension: Int) -> [String] {
        ["bench", "--model", "swinv2_tiny_window8_256", "--batch", "4", "--image-size", "32", "--in-channels", "1",
         "--classes", "10", "--model-arg", "patch_size=4", "--model-arg", "embed_dim=\(embedDimension)",
         "--model-arg", "depths=1,1", "--model-arg", "num_heads=1,1", "--model-arg", "window_size=4"]
    }

    @Test func tinyModelReportsPositiveFigures() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let result = try scratch.run(Self.tinyModel(embedDimension: 16) + ["--steps", "1", "--json"])
        #expect(result.status == 0, "\(result.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                  "\(result.standardOutput)")
        for key in ["train_img_s", "eval_img_s", "forward_gflops", "peak_rss_mib", "gemm_gflops", "mfu_train", "mfu_eval"] {
            let value = try #require((object[key] as? NSNumber)?.doubleValue, "\(key) missing in \(object)")
            #expect(value > 0 && value.isFinite, "\(key) = \(value)")
        }
        #expect((object["parameters"] as? NSNumber)?.intValue ?? 0 > 0)
        let utilisation = (object["mfu_train"] as? NSNumber)?.doubleValue ?? 0
        #expect(utilisation < 1.5, "mfu_train \(utilisation)")
    }

    /// `--amp`: the model's products in bfloat16 where the processor has AVX512-BF16, and the JSON
    /// says which precision ran (float32, with a notice, where it has not).
    @Test(arguments: [false, true]) func ampSaysWhichPrecisionRan(_ disabled: Bool) throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let result = try scratch.run(Self.tinyModel(embedDimension: 32) + ["--steps", "1", "--json", "--amp"],
                                     environment: disabled ? ["RUNNER_DISABLE_BF16": "1"] : [:])
        #expect(result.status == 0, "\(result.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                  "\(result.standardOutput)")
        let bfloat16 = ProductPrecision.bfloat16Available && !disabled
        #expect(object["precision"] as? String == (bfloat16 ? "bfloat16" : "float32"), "\(object)")
        #expect((object["bf16_peak_gflops"] as? NSNumber)?.doubleValue ?? 0 > 0 || !bfloat16, "\(object)")
        #expect(result.standardError.contains("no AVX512-BF16 instructions") == !bfloat16, "\(result.standardError)")
    }

    @Test func recipeSetsTheNetworkAndBatch() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let quickstart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/quickstart_fashion_mnist.yaml")
        let result = try scratch.run(["bench", "-c", quickstart.path, "--set", "batch_size=16", "--steps", "1", "--json", "--profile"])
        #expect(result.status == 0, "\(result.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                  "\(result.standardOutput)")
        #expect((object["batch"] as? NSNumber)?.intValue == 16)
        #expect((object["image_size"] as? NSNumber)?.intValue == 32)
        #expect((object["parameters"] as? NSNumber)?.intValue == 947_678)
        // The profile splits a step into families that add up to it, GEMM taking a real share.
        let profile = try #require(object["profile_train_ms"] as? [String: NSNumber], "\(object)")
        let total = profile.values.reduce(0) { $0 + $1.doubleValue }
        let step = 16 / ((object["train_img_s"] as? NSNumber)?.doubleValue ?? 1) * 1000
        #expect(abs(total - step) <= 0.05 * step, "families sum to \(total) ms, step \(step) ms")
        #expect((profile.first { $0.key.hasPrefix("GEMM") }?.value.doubleValue ?? 0) > 0.1 * step, "\(profile)")
    }
}

/// `runner bench` over the kernels: `--only` narrows the measured set, the yardsticks stay;
/// `--cold` (operands evicted before every run) still measures.
@Suite struct KernelBenchTests {
    @Test func onlyKeepsMatchingKernelsAndTheYardsticks() throws {
        let object = try Self.kernelBench(only: "P·V", "--cold")
        let gemms = try #require(object["gemm_gflops"] as? [String: [String: NSNumber]], "\(object)")
        #expect(gemms.keys.sorted() == ["window attn p·v 1536×64×64·64×32"], "\(gemms.keys)")
        let streams = try #require(object["stream_gb_s"] as? [String: [String: NSNumber]], "\(object)")
        #expect(streams.keys.sorted() == ["copy"], "\(streams.keys)")
        let square = try #require(object["square_gflops"] as? [String: NSNumber], "\(object)")
        #expect(square["1"]?.doubleValue ?? 0 > 0, "\(square)")
    }

    /// The convolutions: forward and backward rows beside the same product as one GEMM.
    @Test func convolutionRows() throws {
        let object = try Self.kernelBench(only: "conv 3×3")
        let gemms = try #require(object["gemm_gflops"] as? [String: [String: NSNumber]], "\(object)")
        let label = "8×64×56×56 ∗ 64×64×3×3"
        #expect(gemms.keys.sorted() == ["conv 3×3 64→64 as one GEMM 64×576·576×25088", "conv 3×3 64→64 backward (dX, dW, db) \(label)",
                                        "conv 3×3 64→64 forward \(label)"], "\(gemms.keys)")
        #expect(gemms.values.allSatisfy { $0["1"]?.doubleValue ?? 0 > 0 }, "\(gemms)")
    }

    /// The depthwise convolution is memory-bound: GB/s rows beside the copy.
    @Test func depthwiseRows() throws {
        let object = try Self.kernelBench(only: "depthwise 3×3 s2")
        let streams = try #require(object["stream_gb_s"] as? [String: [String: NSNumber]], "\(object)")
        #expect(streams.keys.sorted() == ["copy", "depthwise 3×3 s2 forward+backward, 8×96×56×56",
                                          "depthwise 3×3 s2 forward, 8×96×56×56"], "\(streams.keys)")
        #expect(streams.values.allSatisfy { $0["1"]?.doubleValue ?? 0 > 0 }, "\(streams)")
    }

    /// `runner bench --only TEXT --json` (plus `options`), briefly, parsed.
    static func kernelBench(only: String, _ options: String...) throws -> [String: Any] {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let result = try scratch.run(["bench", "--seconds", "0.02", "--only", only, "--json"] + options)
        #expect(result.status == 0, "\(result.combined)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                            "\(result.standardOutput)")
    }
}

/// `runner bench data -c RECIPE`: the seed recipe's training transforms (bicubic crops,
/// RandAugment, random erasing) over a small image folder, read back from `--json`, with the
/// recipe options given after `data`.
@Suite struct DataBenchTests {
    @Test func theSeedRecipesTransformsOverAFolder() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let folder = scratch.directory.appendingPathComponent("images")
        for (c, name) in ["cat", "dog"].enumerated() {
            let classFolder = folder.appendingPathComponent("train/\(name)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for i in 0..<6 {
                let pixels = (0..<(90 * 120 * 3)).map { UInt8(truncatingIfNeeded: $0 * (c + 3) + i * 37 + $0 / 360) }
                let image = DecodedImage(height: 90, width: 120, channels: 3, pixels: pixels)
                try ImageEncoder.jpeg(image, quality: 90).write(to: classFolder.appendingPathComponent("\(i).jpg"))
            }
        }
        let recipe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/swinv2_tiny_window8.yaml")
        let result = try scratch.run(["bench", "data", "-c", recipe.path, "--set", "data_dir=\(folder.path)",
                                      "--set", "batch_size=4", "--set", "image_resize=64", "--workers", "2",
                                      "--seconds", "0.5", "--json"])
        #expect(result.status == 0, "\(result.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                  "\(result.standardOutput)")
        #expect(((object["img_s"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(object)")
        #expect((object["workers"] as? NSNumber)?.intValue == 2 && (object["files"] as? NSNumber)?.intValue == 12)
        #expect((object["image_size"] as? NSNumber)?.intValue == 64 && (object["skipped"] as? NSNumber)?.intValue == 0)
    }
}
