import Foundation
import Testing

/// The timm mixup / cutmix batches written by tools/make_mixup_golden.py.
struct MixupFixture {
    struct Case {
        let name: String
        let mixupAlpha: Double
        let cutmixAlpha: Double
        /// The Beta draw timm was handed.
        let beta: Double
        /// The box centre (row, column) timm was handed, for cutmix.
        let centre: (row: Int, column: Int)?
        /// timm's box as (top, bottom, left, right), for cutmix.
        let box: [Int]?
        /// The λ timm put into the targets (corrected for cutmix).
        let lambda: Double
        let images: [Float]
        let targets: [Float]
    }

    let shape: [Int]
    let labels: [Int32]
    let classes: Int
    let labelSmoothing: Float
    let images: [Float]
    let cases: [Case]

    init() throws {
        let url = try #require(Bundle.module.url(forResource: "mixup", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map(\.floatValue) }
        func ints(_ value: Any?) -> [Int] { (value as! [NSNumber]).map(\.intValue) }
        func number(_ value: Any?) -> Double { (value as! NSNumber).doubleValue }
        shape = ints(root["shape"])
        labels = ints(root["labels"]).map(Int32.init)
        classes = Int(number(root["classes"]))
        labelSmoothing = Float(number(root["label_smoothing"]))
        images = floats(root["images"])
        cases = (root["cases"] as! [[String: Any]]).map { entry in
            let centre = entry["centre"] is NSNull ? nil : ints(entry["centre"])
            return Case(name: entry["name"] as! String, mixupAlpha: number(entry["mixup_alpha"]),
                        cutmixAlpha: number(entry["cutmix_alpha"]), beta: number(entry["beta"]),
                        centre: centre.map { ($0[0], $0[1]) }, box: entry["box"] is NSNull ? nil : ints(entry["box"]),
                        lambda: number(entry["lambda"]), images: floats(entry["images"]), targets: floats(entry["targets"]))
        }
    }
}
