import TensorEngine

/// A building block of a network: it owns named parameters (trained), named buffers (state that is
/// saved but not trained, such as batch-norm running statistics) and named child modules.
///
/// Names are the canonical state-dict names — timm's — so that `layers.1.blocks.0.attn.qkv.weight`
/// addresses the same tensor here as in PyTorch and a timm checkpoint loads by name.
/// Forward signatures differ between modules and are not part of the protocol.
public protocol Module: AnyObject {
    /// Calls `visitor` for every direct parameter, buffer and child, under its local name.
    func visitState(_ visitor: inout StateVisitor)
}

/// Walks a module tree, building dotted names. Modules call ``parameter(_:_:)``,
/// ``buffer(_:_:persistent:)`` and ``child(_:_:)`` from ``Module/visitState(_:)``.
public struct StateVisitor {
    public enum Kind: Sendable {
        /// Trained.
        case parameter
        /// Saved and required on load (batch-norm running statistics).
        case buffer
        /// Saved, but loaded only when a file has it (batch-norm batch counters).
        case optionalBuffer
        /// Derived from the architecture: not saved; skipped when a file has it.
        case derivedBuffer
    }

    private var prefix: String = ""
    private let body: (_ name: String, _ tensor: Tensor, _ kind: Kind) -> Void
    private let onModule: ((any Module) -> Void)?

    public init(_ body: @escaping (_ name: String, _ tensor: Tensor, _ kind: Kind) -> Void) {
        self.body = body
        onModule = nil
    }

    /// A visitor that reports every child module it enters, and no tensors.
    init(modules: @escaping (any Module) -> Void) {
        body = { _, _, _ in }
        onModule = modules
    }

    /// A trainable tensor.
    public mutating func parameter(_ name: String, _ tensor: Tensor) {
        body(prefix + name, tensor, .parameter)
    }

    /// A saved, untrained tensor. `persistent: false` marks buffers derived from the architecture
    /// (relative position indices, coordinate tables, shift masks), which a file may carry and
    /// which are checked or skipped on load rather than reported as unexpected.
    public mutating func buffer(_ name: String, _ tensor: Tensor, persistent: Bool = true) {
        body(prefix + name, tensor, persistent ? .buffer : .derivedBuffer)
    }

    /// A saved tensor that files may lack, such as PyTorch's `num_batches_tracked`.
    public mutating func optionalBuffer(_ name: String, _ tensor: Tensor) {
        body(prefix + name, tensor, .optionalBuffer)
    }

    /// A child module, visited under `name.`.
    public mutating func child(_ name: String, _ module: any Module) {
        let saved = prefix
        prefix = saved + name + "."
        onModule?(module)
        module.visitState(&self)
        prefix = saved
    }

    /// Children of a list, visited as `name.0`, `name.1`, … (PyTorch's `ModuleList`/`Sequential`).
    public mutating func children(_ name: String, _ modules: [any Module]) {
        for (index, module) in modules.enumerated() { child("\(name).\(index)", module) }
    }

    /// An optional child: visited only when present.
    public mutating func child(_ name: String, _ module: (any Module)?) {
        if let module { child(name, module) }
    }
}

extension Module {
    /// Trainable tensors by dotted name, in definition order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedState().filter { $0.kind == .parameter }.map { ($0.name, $0.tensor) }
    }

    /// Every tensor of the module tree by dotted name, with its kind.
    public func namedState() -> [(name: String, tensor: Tensor, kind: StateVisitor.Kind)] {
        var collected: [(name: String, tensor: Tensor, kind: StateVisitor.Kind)] = []
        var visitor = StateVisitor { collected.append(($0, $1, $2)) }
        visitState(&visitor)
        return collected
    }

    /// Every module of the tree below this one, of type `T`, in definition order.
    public func submodules<T>(of type: T.Type) -> [T] {
        var found: [T] = []
        var visitor = StateVisitor(modules: { if let module = $0 as? T { found.append(module) } })
        visitState(&visitor)
        return found
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Parameters and persistent buffers: what a checkpoint holds (PyTorch's `state_dict()`,
    /// without the derived buffers timm marks non-persistent).
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        namedState().filter { $0.kind != .derivedBuffer }.map { ($0.name, $0.tensor) }
    }

    /// Marks every parameter as needing a gradient and clears stale gradients.
    public func prepareForTraining() {
        for (_, tensor) in namedParameters() {
            tensor.requiringGrad()
            tensor.zeroGrad()
        }
    }
}
