using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>End to end: AdamW with a warm-up + cosine schedule and gradient clipping trains a small MLP.</summary>
[Collection(GlobalGenerator.Collection)]
public class MlpTrainingTests
{
    [Fact]
    public void AdamWFitsSinWithATwoLayerMlp()
    {
        torch.manual_seed(3);
        using var fc1 = nn.Linear(1, 32);
        using var fc2 = nn.Linear(32, 1);
        var parameters = fc1.parameters().Concat(fc2.parameters()).ToArray();
        using var x = torch.linspace(-3, 3, 128).unsqueeze(1); // [128, 1]
        using var y = x.sin();                                 // [128, 1]
        using var opt = new optim.AdamW(parameters, lr: 0.02, weight_decay: 1e-4);
        var schedule = new optim.lr_scheduler.SequentialLR(opt,
            [new optim.lr_scheduler.LinearLR(opt, 0.1, 1.0, 20), new optim.lr_scheduler.CosineAnnealingLR(opt, 580, 1e-4)], [20]);

        double Loss()
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            return nn.functional.mse_loss(fc2.forward(fc1.forward(x).tanh()), y).item<double>();
        }

        double initial = Loss();
        for (int step = 0; step < 600; step++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.mse_loss(fc2.forward(fc1.forward(x).tanh()), y);
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            opt.step();
            schedule.step();
        }
        double final = Loss();
        Assert.True(initial > 0.1, $"initial loss {initial}");
        Assert.True(final < 5e-3, $"loss went from {initial} to {final}, expected below 5e-3");
    }
}
