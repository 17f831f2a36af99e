import Testing
import TensorEngine

@Suite struct RandomGeneratorTests {
    @Test func sameSeedSameStream() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect(Tensor.normal([100], using: &a).scalars == Tensor.normal([100], using: &b).scalars)
        #expect(a.stream(1) == b.stream(1))
        #expect(a.stream(1) != a.stream(2))
    }

    @Test func distributions() {
        var g = RandomGenerator(seed: 1)
        let n = 200_000
        let normal = Tensor.normal([n], mean: 1, std: 2, using: &g).scalars
        let mean = normal.reduce(0, +) / Float(n)
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)
        #expect(abs(mean - 1) < 0.02 && abs(variance - 4) < 0.05)
        let truncated = Tensor.truncatedNormal([n], std: 1, low: -0.5, high: 0.5, using: &g).scalars
        #expect(truncated.allSatisfy { $0 >= -0.5 && $0 <= 0.5 })
        let uniform = Tensor.uniform([n], low: -1, high: 3, using: &g).scalars
        #expect(uniform.allSatisfy { $0 >= -1 && $0 < 3 } && abs(uniform.reduce(0, +) / Float(n) - 1) < 0.02)
        let bernoulli = Tensor.bernoulli([n], probability: 0.3, using: &g).scalars
        #expect(abs(bernoulli.reduce(0, +) / Float(n) - 0.3) < 0.01)
    }
}
