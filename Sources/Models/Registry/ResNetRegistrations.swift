extension ModelRegistry {
    mutating func registerResNets() {
        let variants: [(String, ResNet.BlockKind, [Int])] = [
            ("resnet18", .basic, [2, 2, 2, 2]), ("resnet34", .basic, [3, 4, 6, 3]), ("resnet50", .bottleneck, [3, 4, 6, 3]),
        ]
        for (name, block, layers) in variants {
            var base = ResNet.Configuration()
            base.block = block
            base.layers = layers
            register(name, family: "resnet", imageSize: 224, summary: "ResNet-\(name.dropFirst(6)) (torchvision, batch norm)") { [base] options in
                try ResNet.build(name: name, base: base, options: options)
            }
        }
    }
}

extension ResNet {
    static let overrideKeys = ["img_size", "in_chans", "num_classes", "layers", "width", "drop_rate"]

    static func build(name: String, base: Configuration, options: ModelOptions) throws -> ResNet {
        var c = base
        var reader = OverrideReader(model: name, options.overrides)
        try reader.applyCommon(options, to: &c)
        if let v = try reader.ints("layers") { c.layers = v }
        if let v = try reader.int("width") { c.width = v }
        try reader.finish(known: overrideKeys)
        do {
            return try ResNet(c, seed: options.seed)
        } catch let error as ConfigurationError {
            throw ModelError("\(name): \(error.message)")
        }
    }
}
