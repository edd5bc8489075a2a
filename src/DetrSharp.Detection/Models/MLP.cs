using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>MLP</c> (a simple multi-layer perceptron, also called FFN): <c>layers.0..N-1</c> Linear layers with
/// relu between them and none after the last. DETR's box head is MLP(hidden, hidden, 4, 3).
/// </summary>
public sealed class MLP : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<Linear> _layers;

    /// <param name="inputDim">input features</param>
    /// <param name="hiddenDim">features of every hidden layer</param>
    /// <param name="outputDim">output features</param>
    /// <param name="numLayers">Linear layers (at least 1)</param>
    public MLP(long inputDim, long hiddenDim, long outputDim, int numLayers, Device? device = null) : base(nameof(MLP))
    {
        if (numLayers < 1) throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, "MLP: needs at least one layer");
        var layers = new List<Linear>(numLayers);
        for (int i = 0; i < numLayers; i++)
        {
            long n = i == 0 ? inputDim : hiddenDim;
            long k = i == numLayers - 1 ? outputDim : hiddenDim;
            layers.Add(nn.Linear(n, k, device: device));
        }
        _layers = register_module("layers", new ModuleList<Linear>(layers));
    }

    /// <summary>The Linear layers.</summary>
    public ModuleList<Linear> Layers => _layers;

    /// <param name="x">[..., inputDim]</param>
    /// <returns>[..., outputDim]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x;
        for (int i = 0; i < _layers.Count; i++)
        {
            y = _layers[i].call(y);
            if (i < _layers.Count - 1) y = y.relu_();
        }
        return scope.MoveToOuter(y);
    }
}
