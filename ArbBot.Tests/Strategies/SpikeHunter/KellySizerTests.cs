using ArbBot.Engine.Strategies.SpikeHunter;

namespace ArbBot.Tests.Strategies.SpikeHunter;

public sealed class KellySizerTests
{
    [Fact]
    public void Without_history_the_prior_gives_a_win_rate_of_one_half()
    {
        var kelly = new KellySizer();
        Assert.Equal(0.5, kelly.WinRate, 12);
        // Win 0.09 or lose 0.06 a contract: b = 1.5, f* = 0.5 − 0.5/1.5 = 1/6. Quarter Kelly: 1/24 of $12,000 = $500 at risk,
        // / $0.06 a contract = 8,333.33 contracts; the cap (5% of $12,000 at $0.40 = 1,500) binds.
        var size = kelly.Size(0.09m, 0.06m, 0.40m, 12_000m, 0.25m, 0.05m);
        Assert.Equal(1.0 / 6, size.FullFraction, 12);
        Assert.Equal(1.0 / 24, size.TakenFraction, 12);
        Assert.True(size.Capped);
        Assert.Equal(1_500m, size.Contracts);
        Assert.Equal(0.015m, size.EdgePerContract);

        var uncapped = kelly.Size(0.09m, 0.06m, 0.40m, 12_000m, 0.25m, 0.5m);
        Assert.False(uncapped.Capped);
        Assert.Equal(8_333.33m, Math.Round(uncapped.Contracts, 2));
    }

    [Fact]
    public void The_prior_refuses_an_even_payoff_until_the_hunter_has_won()
    {
        var kelly = new KellySizer();
        // b = 1 at p = 0.5: f* = 0, no bet.
        Assert.Equal(0m, kelly.Size(0.05m, 0.05m, 0.5m, 10_000m, 0.25m, 0.05m).Contracts);

        // 8 wins and 2 losses: p = (8 + 5)/(10 + 10) = 0.65; f* = 0.65 − 0.35 = 0.3; quarter = 0.075 of $10,000 = $750 at
        // risk, / $0.05 = 15,000 contracts, below the 50% cap (10,000 contracts at $0.50).
        kelly.Restore(8, 2);
        Assert.Equal(0.65, kelly.WinRate, 12);
        var size = kelly.Size(0.05m, 0.05m, 0.5m, 10_000m, 0.25m, 0.5m);
        Assert.Equal(0.3, size.FullFraction, 12);
        Assert.Equal(10_000m, size.Contracts);
        Assert.True(size.Capped);
        Assert.Equal(15_000m, Math.Round(kelly.Size(0.05m, 0.05m, 0.5m, 10_000m, 0.25m, 1m).Contracts, 6));
    }

    [Fact]
    public void Closed_trades_move_the_win_rate_and_losses_shrink_the_stake()
    {
        var kelly = new KellySizer();
        var before = kelly.Size(0.09m, 0.06m, 0.40m, 10_000m, 0.25m, 0.5m).Contracts;
        for (var i = 0; i < 5; i++) kelly.RecordClosedTrade(-1m);
        kelly.RecordClosedTrade(0m); // breaking even is not a win
        Assert.Equal(0, kelly.Wins);
        Assert.Equal(6, kelly.Losses);
        Assert.Equal(5.0 / 16, kelly.WinRate, 12);
        // p = 0.3125 with b = 1.5: f* = 0.3125 − 0.6875/1.5 < 0: no bet.
        Assert.Equal(0m, kelly.Size(0.09m, 0.06m, 0.40m, 10_000m, 0.25m, 0.5m).Contracts);
        Assert.True(before > 0m);
    }
}
