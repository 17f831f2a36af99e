#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded pseudo-random generator (xoshiro256**) whose streams are reproducible: the same seed
/// gives the same numbers on every machine and thread count.
///
/// Independent streams for different purposes (weight init, dropout, data order, augmentation)
/// come from ``stream(_:)``, so drawing more numbers for one purpose never shifts another.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded from one 64-bit seed (expanded with SplitMix64).
    public init(seed: UInt64) {
        var mixer = seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
    }

    /// The generator state, for checkpoints.
    public var words: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// Restores a generator from ``words``.
    public init(words: [UInt64]) {
        precondition(words.count == 4, "RandomGenerator(words:) needs 4 words")
        state = (words[0], words[1], words[2], words[3])
    }

    public init(from decoder: any Decoder) throws {
        self.init(words: try [UInt64](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try words.encode(to: encoder)
    }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
        lhs.words == rhs.words
    }

    /// An independent generator for purpose `index`, derived from this one's state without
    /// advancing it.
    public func stream(_ index: UInt64) -> RandomGenerator {
        var mixer = state.0 ^ (state.2 &* 0x9E37_79B9_7F4A_7C15) ^ (index &* 0xD1B5_4A32_D192_ED03)
        return RandomGenerator(seed: Self.splitMix(&mixer))
    }

    @inlinable
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotateLeft(state.3, 45)
        return result
    }

    /// Uniform in [0, 1), 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box–Muller in double precision).
    public mutating func nextNormal() -> Float {
        Float(nextNormalDouble())
    }

    /// A standard normal sample in double precision (Box–Muller).
    public mutating func nextNormalDouble() -> Double {
        let u1 = max(nextUniformDouble(), Double.leastNonzeroMagnitude)
        let u2 = nextUniformDouble()
        return (-2 * Glibc_log(u1)).squareRoot() * Glibc_cos(2 * Double.pi * u2)
    }

    /// An integer uniform in `0..<upperBound`.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        Int.random(in: 0..<upperBound, using: &self)
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_cos(_ x: Double) -> Double { cos(x) }

extension Tensor {
    /// Elements uniform in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let span = high - low
        for i in 0..<t.count { t.data[i] = low + span * generator.nextUniform() }
        return t
    }

    /// Elements drawn from N(mean, std²).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              using generator: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.data[i] = mean + std * generator.nextNormal() }
        return t
    }

    /// Elements drawn from N(mean, std²) conditioned on `[low, high]` (absolute bounds, as in
    /// timm's `trunc_normal_`), by rejection.
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                       low: Float = -2, high: Float = 2,
                                       using generator: inout RandomGenerator) -> Tensor {
        guard low < high, mean >= low - 6 * std, mean <= high + 6 * std else {
            EngineError.fail("truncatedNormal", "bounds [\(low), \(high)] leave no mass around mean \(mean), std \(std)")
        }
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count {
            var value: Float
            repeat { value = mean + std * generator.nextNormal() } while value < low || value > high
            t.data[i] = value
        }
        return t
    }

    /// Elements 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], probability p: Float,
                                 using generator: inout RandomGenerator) -> Tensor {
        guard p >= 0 && p <= 1 else { EngineError.fail("bernoulli", "probability \(p) is outside [0, 1]") }
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.data[i] = generator.nextUniform() < p ? 1 : 0 }
        return t
    }
}
