import Testing
@testable import TensorEngine

@Suite struct Conv2dTests {
    /// A convolution's arguments and sizes.
    struct Case: CustomTestStringConvertible, Sendable {
        var batch = 2, inChannels = 3, height = 7, width = 9, outChannels = 4
        var kernel = (3, 3), stride = (1, 1), padding = (0, 0), dilation = (1, 1), groups = 1
        var testDescription: String {
            "N\(batch) \(inChannels)→\(outChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)"
        }
        var inputShape: [Int] { [batch, inChannels, height, width] }
        var weightShape: [Int] { [outChannels, inChannels / groups, kernel.0, kernel.1] }
    }

    /// Naive convolution, straight from the definition, accumulated in Double.
    static func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case) -> [Float] {
        let (n, ci, h, wd, co) = (c.batch, c.inChannels, c.height, c.width, c.outChannels)
        let (kh, kw) = c.kernel
        let ho = (h + 2 * c.padding.0 - c.dilation.0 * (kh - 1) - 1) / c.stride.0 + 1
        let wo = (wd + 2 * c.padding.1 - c.dilation.1 * (kw - 1) - 1) / c.stride.1 + 1
        let inPerGroup = ci / c.groups, outPerGroup = co / c.groups
        let xs = x.scalars, ws = w.scalars, bs = b?.scalars
        var out = [Float](repeating: 0, count: n * co * ho * wo)
        for b0 in 0..<n { for o in 0..<co { for oy in 0..<ho { for ox in 0..<wo {
            var total = Double(bs?[o] ?? 0)
            let group = o / outPerGroup
            for i in 0..<inPerGroup { for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * c.stride.0 - c.padding.0 + ky * c.dilation.0
                let ix = ox * c.stride.1 - c.padding.1 + kx * c.dilation.1
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                let channel = group * inPerGroup + i
                total += Double(xs[((b0 * ci + channel) * h + iy) * wd + ix]) * Double(ws[((o * inPerGroup + i) * kh + ky) * kw + kx])
            } } }
            out[((b0 * co + o) * ho + oy) * wo + ox] = Float(total)
        } } } }
        return out
    }

    static func run(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case, _ algorithm: Conv2dAlgorithm = .automatic) -> Tensor {
        x.conv2d(weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                 algorithm: algorithm)
    }

    static let generalCases: [Case] = [
        Case(),                                                                                     // plain 3×3, odd sizes
        Case(stride: (2, 2), padding: (1, 1)),                                                      // stride 2 + padding
        Case(height: 8, width: 10, kernel: (5, 3), stride: (1, 2), padding: (2, 0)),                // non-square everything
        Case(inChannels: 4, outChannels: 6, padding: (1, 1), groups: 2),                            // grouped
        Case(inChannels: 6, outChannels: 6, padding: (0, 0), groups: 6),                            // depthwise via im2col
        Case(height: 11, width: 13, padding: (2, 2), dilation: (2, 2)),                             // dilation
        Case(batch: 3, inChannels: 5, height: 6, width: 5, outChannels: 7, kernel: (1, 1)),         // pointwise
        Case(batch: 1, inChannels: 3, height: 40, width: 50, outChannels: 8, stride: (1, 1), padding: (1, 1)), // several blocks
        Case(inChannels: 3, height: 16, width: 12, outChannels: 5, kernel: (4, 4), stride: (4, 4)), // patchify geometry
        Case(inChannels: 2, height: 5, width: 5, outChannels: 3, kernel: (5, 5), padding: (0, 0)),  // kernel = input
    ]

    static let patchifyCases: [Case] = [
        Case(inChannels: 3, height: 16, width: 12, outChannels: 5, kernel: (4, 4), stride: (4, 4)),
        Case(batch: 3, inChannels: 2, height: 18, width: 13, outChannels: 7, kernel: (4, 4), stride: (4, 4)), // trimmed border
        Case(batch: 1, inChannels: 3, height: 10, width: 9, outChannels: 4, kernel: (2, 3), stride: (2, 3)),  // non-square
        Case(inChannels: 4, height: 6, width: 6, outChannels: 8, kernel: (1, 1), stride: (1, 1)),             // 1×1
        // A batch goes through one product over all its patches, a single image (batch: 1
        // above) on its own; patch rows of 2, 4, 8 and other widths are copied differently.
        Case(batch: 2, inChannels: 2, height: 48, width: 50, outChannels: 3, kernel: (4, 4), stride: (4, 4)),
        Case(batch: 2, inChannels: 3, height: 16, width: 17, outChannels: 4, kernel: (8, 8), stride: (8, 8)),
        Case(batch: 3, inChannels: 5, height: 6, width: 7, outChannels: 6, kernel: (2, 2), stride: (2, 2)),
        Case(batch: 1, inChannels: 2, height: 16, width: 16, outChannels: 3, kernel: (16, 16), stride: (16, 16)),
    ]

    static let depthwiseCases: [Case] = [
        Case(inChannels: 5, height: 7, width: 9, outChannels: 5, padding: (1, 1), groups: 5),
        Case(inChannels: 4, height: 13, width: 21, outChannels: 4, padding: (1, 1), groups: 4),
        Case(inChannels: 6, height: 8, width: 7, outChannels: 6, stride: (2, 2), padding: (1, 1), groups: 6),
        Case(batch: 1, inChannels: 3, height: 15, width: 35, outChannels: 3, stride: (2, 2), padding: (1, 1), groups: 3),
        Case(inChannels: 3, height: 9, width: 18, outChannels: 3, stride: (1, 2), padding: (1, 1), groups: 3),
        Case(inChannels: 3, height: 10, width: 17, outChannels: 3, stride: (2, 1), padding: (1, 1), groups: 3),
        Case(batch: 2, inChannels: 2, height: 1, width: 1, outChannels: 2, padding: (1, 1), groups: 2),
    ]

    @Test(arguments: generalCases)
    func generalMatchesNaiveReference(_ c: Case) {
        var data = TestData(seed: 31)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        expectClose(Self.run(x, w, b, c, .general).scalars, Self.reference(x, w, b, c), tolerance: 1e-5)
        expectClose(Self.run(x, w, nil, c, .general).scalars, Self.reference(x, w, nil, c), tolerance: 1e-5)
        expectClose(Self.run(x, w, b, c).scalars, Self.reference(x, w, b, c), tolerance: 1e-5)
    }

    @Test(arguments: patchifyCases + depthwiseCases)
    func fastPathMatchesGeneralAndNaiveReference(_ c: Case) throws {
        var data = TestData(seed: 32)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        let geometry = Conv2dGeometry(batch: c.batch, inChannels: c.inChannels, height: c.height, width: c.width,
                                      outChannels: c.outChannels, kernelHeight: c.kernel.0, kernelWidth: c.kernel.1,
                                      strideY: c.stride.0, strideX: c.stride.1, paddingY: c.padding.0, paddingX: c.padding.1,
                                      dilationY: 1, dilationX: 1, groups: c.groups)
        let algorithm = Conv2dAlgorithm.best(for: geometry)
        try #require(algorithm != .general, "case should take a fast path")
        let fast = Self.run(x, w, b, c, algorithm), general = Self.run(x, w, b, c, .general)
        #expect(fast.shape == general.shape)
        expectClose(fast.scalars, Self.reference(x, w, b, c), tolerance: 1e-5)
        expectClose(fast.scalars, general.scalars, tolerance: 1e-5)
        expectClose(Self.run(x, w, nil, c, algorithm).scalars, Self.reference(x, w, nil, c), tolerance: 1e-5)

        // Backward: the fast path's gradients equal the general path's.
        let g = data.normal(fast.shape)
        func gradients(_ algorithm: Conv2dAlgorithm) -> [[Float]] {
            let (xi, wi, bi) = (x.copy().requiringGrad(), w.copy().requiringGrad(), b.copy().requiringGrad())
            Self.run(xi, wi, bi, c, algorithm).backward(gradient: g)
            return [xi, wi, bi].map { $0.grad?.scalars ?? [] }
        }
        for (fastGradient, generalGradient) in zip(gradients(algorithm), gradients(.general)) {
            expectClose(fastGradient, generalGradient, tolerance: 1e-5)
        }
    }

    @Test(arguments: generalCases.prefix(7))
    func generalGradients(_ c: Case) {
        var data = TestData(seed: 33)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        expectGradientsMatch([x, w, b]) { Self.run($0[0], $0[1], $0[2], c, .general) }
        expectGradientsMatch([w]) { Self.run(x, $0[0], nil, c, .general) }
        expectGradientsMatch([x]) { Self.run($0[0], w, b, c, .general) }
    }

    @Test(arguments: patchifyCases.prefix(3))
    func patchifyGradients(_ c: Case) {
        var data = TestData(seed: 34)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        expectGradientsMatch([x, w, b]) { Self.run($0[0], $0[1], $0[2], c, .patchify) }
        expectGradientsMatch([x]) { Self.run($0[0], w, nil, c, .patchify) }
    }

    @Test(arguments: depthwiseCases)
    func depthwiseGradients(_ c: Case) {
        var data = TestData(seed: 35)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        expectGradientsMatch([x, w, b]) { Self.run($0[0], $0[1], $0[2], c, .depthwise3x3) }
        expectGradientsMatch([w]) { Self.run(x, $0[0], nil, c, .depthwise3x3) }
    }

    @Test func automaticChoosesTheFastPaths() {
        func best(_ c: Case) -> Conv2dAlgorithm {
            Conv2dAlgorithm.best(for: Conv2dGeometry(batch: c.batch, inChannels: c.inChannels, height: c.height, width: c.width,
                                                     outChannels: c.outChannels, kernelHeight: c.kernel.0, kernelWidth: c.kernel.1,
                                                     strideY: c.stride.0, strideX: c.stride.1, paddingY: c.padding.0,
                                                     paddingX: c.padding.1, dilationY: c.dilation.0, dilationX: c.dilation.1,
                                                     groups: c.groups))
        }
        #expect(Self.patchifyCases.allSatisfy { best($0) == .patchify })
        #expect(Self.depthwiseCases.allSatisfy { best($0) == .depthwise3x3 })
        #expect(best(Self.generalCases[1]) == .general)
        #expect(best(Self.generalCases[4]) == .general) // depthwise without padding 1
    }

    @Test(arguments: ["general_s2_p1", "general_5x3_s1_p0", "grouped_g2", "depthwise_s1", "depthwise_s2", "patchify_k4", "pointwise_1x1"])
    func matchesPyTorch(caseName: String) throws {
        let fixture = try GoldenFixture.load("conv2d")
        let golden = try #require(fixture.cases[caseName])
        let stride = golden.integers("stride"), padding = golden.integers("padding")
        let groups = golden.integers("groups").first ?? 1
        expectMatchesGolden(golden, inputs: ["x", "weight", "bias"]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], stride: (stride[0], stride[1]), padding: (padding[0], padding[1]), groups: groups)
        }
    }

    @Test func channelMismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3, 8, 8]).conv2d(weight: Tensor.zeros([4, 2, 3, 3]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d: shape mismatch between [1, 3, 8, 8] and [4, 2, 3, 3]"), "\(message)")
        }
    }

    @Test func kernelLargerThanInputNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 2, 2, 2]).conv2d(weight: Tensor.zeros([4, 2, 3, 3]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d: shape mismatch between [1, 2, 2, 2] and [4, 2, 3, 3]"), "\(message)")
        }
    }
}

/// The patch convolution with its result channels last equals the NCHW convolution permuted.
@Suite struct PatchConvolutionChannelsLastTests {
    @Test(arguments: Conv2dTests.patchifyCases)
    func equalsThePermutedConvolution(_ c: Conv2dTests.Case) {
        var data = TestData(seed: 36)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        let tokens = x.patchConvolutionChannelsLast(weight: w, bias: b)
        let permuted = Conv2dTests.run(x, w, b, c).permuted([0, 2, 3, 1])
        #expect(tokens.shape == permuted.shape)
        expectClose(tokens.scalars, permuted.scalars, tolerance: 1e-5)
        expectClose(x.patchConvolutionChannelsLast(weight: w).scalars,
                    Conv2dTests.run(x, w, nil, c).permuted([0, 2, 3, 1]).scalars, tolerance: 1e-5)
    }

    @Test(arguments: Conv2dTests.patchifyCases.prefix(3) + Conv2dTests.patchifyCases.suffix(2))
    func gradients(_ c: Conv2dTests.Case) {
        var data = TestData(seed: 37)
        let x = data.normal(c.inputShape), w = data.normal(c.weightShape), b = data.normal([c.outChannels])
        expectGradientsMatch([x, w, b]) { $0[0].patchConvolutionChannelsLast(weight: $0[1], bias: $0[2]) }
    }

    @Test func mismatchedChannelsNameBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3, 8, 8]).patchConvolutionChannelsLast(weight: Tensor.zeros([4, 2, 4, 4]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("[1, 3, 8, 8]") && message.contains("[4, 2, 4, 4]"), "\(message)")
        }
    }
}
