extension ModelRegistry {
    mutating func registerTwins() {
        struct Variant { let name: String, alias: String, dims: [Int], depths: [Int], heads: [Int], mlp: [Float], svt: Bool }
        let variants = [
            Variant(name: "twins_svt_small", alias: "alt_gvt_small", dims: [64, 128, 256, 512], depths: [2, 2, 10, 4],
                    heads: [2, 4, 8, 16], mlp: [4, 4, 4, 4], svt: true),
            Variant(name: "twins_svt_base", alias: "alt_gvt_base", dims: [96, 192, 384, 768], depths: [2, 2, 18, 2],
                    heads: [3, 6, 12, 24], mlp: [4, 4, 4, 4], svt: true),
            Variant(name: "twins_svt_large", alias: "alt_gvt_large", dims: [128, 256, 512, 1024], depths: [2, 2, 18, 2],
                    heads: [4, 8, 16, 32], mlp: [4, 4, 4, 4], svt: true),
            Variant(name: "twins_pcpvt_small", alias: "pcpvt_small_v0", dims: [64, 128, 320, 512], depths: [3, 4, 6, 3],
                    heads: [1, 2, 5, 8], mlp: [8, 8, 4, 4], svt: false),
            Variant(name: "twins_pcpvt_base", alias: "pcpvt_base_v0", dims: [64, 128, 320, 512], depths: [3, 4, 18, 3],
                    heads: [1, 2, 5, 8], mlp: [8, 8, 4, 4], svt: false),
            Variant(name: "twins_pcpvt_large", alias: "pcpvt_large_v0", dims: [64, 128, 320, 512], depths: [3, 8, 27, 3],
                    heads: [1, 2, 5, 8], mlp: [8, 8, 4, 4], svt: false),
        ]
        for variant in variants {
            var base = TwinsConfiguration()
            base.embedDims = variant.dims
            base.depths = variant.depths
            base.heads = variant.heads
            base.mlpRatios = variant.mlp
            base.windowSizes = variant.svt ? [7, 7, 7, 7] : nil
            let kind = variant.svt ? "SVT (local/global alternating)" : "PCPVT (global sub-sampled)"
            register(variant.name, family: "twins", aliases: [variant.alias], imageSize: 224,
                     summary: "Twins-\(kind) \(variant.name.split(separator: "_").last!)") { [base] options in
                try Twins.build(name: variant.name, base: base, options: options)
            }
        }
    }
}

extension Twins {
    static let overrideKeys = ["img_size", "patch_size", "in_chans", "num_classes", "embed_dims", "depths", "num_heads",
                               "mlp_ratios", "sr_ratios", "wss", "drop_rate", "proj_drop_rate", "attn_drop_rate",
                               "drop_path_rate"]

    static func build(name: String, base: TwinsConfiguration, options: ModelOptions) throws -> Twins {
        var c = base
        var reader = OverrideReader(model: name, options.overrides)
        try reader.applyCommon(options, to: &c)
        if let v = try reader.int("patch_size") { c.patchSize = v }
        if let v = try reader.ints("embed_dims") { c.embedDims = v }
        if let v = try reader.ints("depths") { c.depths = v }
        let stages = c.depths.count
        if let v = try reader.ints("num_heads", count: stages) { c.heads = v }
        if let v = try reader.ints("mlp_ratios", count: stages) { c.mlpRatios = v.map(Float.init) }
        if let v = try reader.ints("sr_ratios", count: stages) { c.subsamplingRatios = v }
        if let v = try reader.ints("wss", count: stages) { c.windowSizes = v }
        if let v = try reader.float("proj_drop_rate") { c.projectionDropRate = v }
        if let v = try reader.float("attn_drop_rate") { c.attentionDropRate = v }
        try reader.finish(known: overrideKeys)
        do {
            return try Twins(c, seed: options.seed)
        } catch let error as ConfigurationError {
            throw ModelError("\(name): \(error.message)")
        }
    }
}
