// swift-tools-version: 6.0
import PackageDescription

/// Kernel targets are built with `-Ounchecked`; on x86-64 they also get AVX2 + FMA so that
/// `SIMD8<Float>` maps onto ymm registers and `addingProduct` becomes a fused multiply-add.
/// (See ../shared/DESIGN.md, "Tensor engine".)
var kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
#if arch(x86_64)
kernelFlags.append(.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c"]))
#endif

/// The one target built for AVX-512: kernels the engine calls only after checking that the
/// processor has it (`ProcessorFeatures`), so the binary still runs on AVX2-only machines.
var avx512KernelFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
#if arch(x86_64)
avx512KernelFlags.append(.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mavx512f", "-Xcc", "-mavx512vl",
                                       "-Xcc", "-mavx512bw", "-Xcc", "-mavx512dq"]))
#endif

let package = Package(
    name: "runner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runner", targets: ["runner"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "TensorEngine",
            dependencies: ["COpenBLAS", "TensorEngineAVX512", "CKernelIntrinsics"],
            swiftSettings: kernelFlags
        ),
        .target(
            name: "TensorEngineAVX512",
            dependencies: ["CKernelIntrinsics"],
            swiftSettings: avx512KernelFlags
        ),
        .target(name: "CKernelIntrinsics"),
        .target(
            name: "Layers",
            dependencies: ["TensorEngine"],
            swiftSettings: kernelFlags
        ),
        .target(
            name: "Models",
            dependencies: ["TensorEngine", "Layers", "TextMatching"],
            swiftSettings: kernelFlags
        ),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(
            name: "Distributed",
            dependencies: ["CMPI"]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .target(
            name: "CDataLoading",
            linkerSettings: [.linkedLibrary("jpeg")]
        ),
        .target(
            name: "Datasets",
            dependencies: ["TensorEngine", "CZlib", "CTurboJPEG", "CPNG", "CDataLoading"],
            swiftSettings: kernelFlags
        ),
        .target(
            name: "Trainer",
            dependencies: ["TensorEngine", "Layers", "Models", "Datasets", "Recipes", "Results", "Training", "Distributed"],
            swiftSettings: kernelFlags
        ),
        .executableTarget(
            name: "runner",
            dependencies: [
                "TensorEngine",
                "Layers",
                "Models",
                "Recipes",
                "Results",
                "Training",
                "Trainer",
                "Datasets",
                "Distributed",
                "TextMatching",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "LayersTests",
            dependencies: ["Layers", "TensorEngine"],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", "Layers", "TensorEngine"],
            resources: [.copy("Fixtures")],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Datasets", "TensorEngine"],
            resources: [.copy("Fixtures")],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "TrainerTests",
            dependencies: ["Trainer", "Recipes", "Results", "Datasets", "Models", "Training", "TensorEngine", "Layers"],
            resources: [.copy("Fixtures")],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "RunnerTests",
            dependencies: ["runner", "Results", "TensorEngine", "Datasets"]
        ),
        .testTarget(
            name: "TensorEngineTests",
            dependencies: ["TensorEngine", "CKernelIntrinsics"],
            resources: [.copy("Fixtures")],
            swiftSettings: kernelFlags
        ),
        .target(
            name: "Results",
            dependencies: ["TextMatching", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "ResultsTests",
            dependencies: ["Results", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "Recipes",
            dependencies: ["TextMatching", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "RecipesTests",
            dependencies: ["Recipes"],
            resources: [.copy("Fixtures")]
        ),
        .target(name: "TextMatching"),
        .testTarget(
            name: "TextMatchingTests",
            dependencies: ["TextMatching"]
        ),
        .target(
            name: "Training",
            dependencies: ["TensorEngine", "CKernelIntrinsics"],
            swiftSettings: kernelFlags
        ),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "TensorEngine"],
            resources: [.copy("Fixtures")],
            swiftSettings: kernelFlags
        ),
    ],
    swiftLanguageModes: [.v6]
)
