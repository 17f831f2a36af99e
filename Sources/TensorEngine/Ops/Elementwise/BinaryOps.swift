/// Element-wise arithmetic between tensors, with NumPy broadcasting. Gradients are summed back
/// to each operand's shape by ``Tensor/accumulateBroadcastGrad(_:)``.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(a, b, op: "add") { $0 + $1 }
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                // g is the output's own gradient buffer: the last consumer may keep it (residual
                // connections then cost one gradient copy instead of two).
                if b.requiresGrad {
                    a.accumulateBroadcastGrad(g)
                    b.accumulateBroadcastGrad(owned: g)
                } else {
                    a.accumulateBroadcastGrad(owned: g)
                }
            }
        }
        return out
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(a, b, op: "sub") { $0 - $1 }
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                a.accumulateBroadcastGrad(g)
                if b.requiresGrad { b.accumulateBroadcastGrad(mapElements(g) { -$0 }) }
            }
        }
        return out
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(a, b, op: "mul") { $0 * $1 }
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                if a.requiresGrad { a.accumulateBroadcastGrad(broadcastBinary(g, b, op: "mul backward") { $0 * $1 }) }
                if b.requiresGrad { b.accumulateBroadcastGrad(broadcastBinary(g, a, op: "mul backward") { $0 * $1 }) }
            }
        }
        return out
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(a, b, op: "div") { $0 / $1 }
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                if a.requiresGrad { a.accumulateBroadcastGrad(broadcastBinary(g, b, op: "div backward") { $0 / $1 }) }
                if b.requiresGrad {
                    // d(a/b)/db = −(a/b)/b = −out/b
                    let gOut = zipElements(g, out) { $0 * $1 }
                    b.accumulateBroadcastGrad(broadcastBinary(gOut, b, op: "div backward") { -$0 / $1 })
                }
            }
        }
        return out
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x * -1
    }
}
