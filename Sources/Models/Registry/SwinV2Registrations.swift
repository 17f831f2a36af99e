extension ModelRegistry {
    mutating func registerSwinV2() {
        struct Variant {
            let size: String, embed: Int, depths: [Int], heads: [Int], torchvisionDropPath: Float
        }
        let variants = [
            Variant(size: "tiny", embed: 96, depths: [2, 2, 6, 2], heads: [3, 6, 12, 24], torchvisionDropPath: 0.2),
            Variant(size: "small", embed: 96, depths: [2, 2, 18, 2], heads: [3, 6, 12, 24], torchvisionDropPath: 0.3),
            Variant(size: "base", embed: 128, depths: [2, 2, 18, 2], heads: [4, 8, 16, 32], torchvisionDropPath: 0.5),
        ]
        for variant in variants {
            for window in [8, 16] {
                var base = SwinV2Configuration()
                base.embedDim = variant.embed
                base.depths = variant.depths
                base.heads = variant.heads
                base.windowSizes = Array(repeating: window, count: 4)
                let name = "swinv2_\(variant.size)_window\(window)_256"
                register(name, family: "swinv2", aliases: ["swinv2_\(variant.size)_window\(window)"], imageSize: 256,
                         summary: "Swin Transformer V2 \(variant.size), window \(window) (timm)") { [base] options in
                    try SwinV2.build(name: name, base: base, options: options)
                }
            }
            var torchvision = SwinV2Configuration()
            torchvision.flavor = .torchvision
            torchvision.embedDim = variant.embed
            torchvision.depths = variant.depths
            torchvision.heads = variant.heads
            torchvision.dropPathRate = variant.torchvisionDropPath
            let name = "swin_v2_\(variant.size.prefix(1))"
            register(name, family: "swinv2", imageSize: 256,
                     summary: "Swin Transformer V2 \(variant.size) (torchvision: window 8 in every stage, padded)") { [torchvision] options in
                try SwinV2.build(name: name, base: torchvision, options: options)
            }
        }
    }
}

extension SwinV2 {
    static let overrideKeys = ["img_size", "patch_size", "in_chans", "num_classes", "embed_dim", "depths", "num_heads",
                               "window_size", "pretrained_window_sizes", "mlp_ratio", "drop_rate", "proj_drop_rate",
                               "attn_drop_rate", "drop_path_rate"]

    /// A registered SwinV2 with the experiment's settings and overrides applied.
    static func build(name: String, base: SwinV2Configuration, options: ModelOptions) throws -> SwinV2 {
        var c = base
        var reader = OverrideReader(model: name, options.overrides)
        try reader.applyCommon(options, to: &c)
        if let v = try reader.int("patch_size") { c.patchSize = v }
        if let v = try reader.int("embed_dim") { c.embedDim = v }
        if let v = try reader.ints("depths") { c.depths = v }
        let stages = c.depths.count
        if let v = try reader.ints("num_heads") { c.heads = v }
        if let v = try reader.ints("window_size", count: stages) { c.windowSizes = v }
        if let v = try reader.ints("pretrained_window_sizes", count: stages) { c.pretrainedWindowSizes = v }
        if let v = try reader.float("mlp_ratio") { c.mlpRatio = v }
        if let v = try reader.float("proj_drop_rate") { c.projectionDropRate = v }
        if let v = try reader.float("attn_drop_rate") { c.attentionDropRate = v }
        try reader.finish(known: overrideKeys)
        // Fewer stages than the base: trim the per-stage lists that were not overridden.
        if c.windowSizes.count != stages { c.windowSizes = Array(c.windowSizes.prefix(stages)) + Array(repeating: c.windowSizes.last ?? 8, count: max(0, stages - c.windowSizes.count)) }
        if c.pretrainedWindowSizes.count != stages { c.pretrainedWindowSizes = Array(repeating: 0, count: stages) }
        do {
            return try SwinV2(c, seed: options.seed)
        } catch let error as ConfigurationError {
            throw ModelError("\(name): \(error.message)")
        }
    }
}
