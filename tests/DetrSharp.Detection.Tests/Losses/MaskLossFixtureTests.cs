using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Losses;

/// <summary>Kind detr_mask_losses: DETR segmentation.py's sigmoid_focal_loss and dice_loss, values and gradients.</summary>
public class MaskLossFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("detr", "detr_mask_losses");

    [Theory]
    [MemberData(nameof(Cases))]
    public void FocalAndDice(string name)
    {
        var f = FixtureData.Get(name);
        var p = f.Params;
        double alpha = p.GetProperty("alpha").GetDouble(), gamma = p.GetProperty("gamma").GetDouble(), numBoxes = p.GetProperty("num_boxes").GetDouble();
        using var scope = torch.NewDisposeScope();
        var targets = FixtureData.Tensor(f.Inputs.GetProperty("targets"));
        var e = f.Expected;

        var inputs = FixtureData.Tensor(f.Inputs.GetProperty("inputs"), requiresGrad: true);
        var focal = SigmoidFocalLoss.Compute(inputs, targets, numBoxes, alpha, gamma);
        Check(f, "sigmoid_focal_loss", focal);
        focal.backward();
        Check(f, "grad_sigmoid_focal_loss", inputs.grad!);

        var inputs2 = FixtureData.Tensor(f.Inputs.GetProperty("inputs"), requiresGrad: true);
        var dice = DiceLoss.Compute(inputs2, targets.flatten(1), numBoxes);
        Check(f, "dice_loss", dice);
        dice.backward();
        Check(f, "grad_dice_loss", inputs2.grad!);
    }

    static void Check(Fixture f, string key, Tensor actual)
    {
        var (atol, rtol) = FixtureData.Tolerance(f, key);
        FixtureData.AssertClose($"{f.Name} {key}", f.Expected.GetProperty(key), actual, atol, rtol);
    }
}
