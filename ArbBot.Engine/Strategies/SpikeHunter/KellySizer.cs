namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>A Kelly sizing: the win rate used, the full and taken fractions, the contracts and the expected edge per contract.</summary>
public readonly record struct KellySize(
    double WinRate,
    /// <summary>Full Kelly f* = p − (1 − p) / b, the share of the bankroll to put at risk (can be ≤ 0: no bet).</summary>
    double FullFraction,
    /// <summary>The fraction taken: KellyFraction × f*, before the bankroll cap.</summary>
    double TakenFraction,
    decimal Contracts,
    /// <summary>p·win − (1 − p)·loss per contract, in dollars.</summary>
    decimal EdgePerContract,
    /// <summary>True when the notional cap (MaxBankrollFraction) bound the size rather than Kelly.</summary>
    bool Capped);

/// <summary>
/// Fractional Kelly sizing for the spike hunter (seed 003: f* = (b·p − q) / b), from the trade's payoff and a win rate
/// estimated from the hunter's own closed trades. Arbitrage is not sized here: it is sized by depth and limits.
/// </summary>
/// <remarks>
/// <para>
/// A trade risks <c>loss</c> per contract (stop distance plus the round-trip cost) to win <c>win</c> (profit distance
/// minus that cost); b = win / loss. The win rate p is the mean of a Beta(wins + <see cref="PriorWins"/>, losses +
/// <see cref="PriorLosses"/>) posterior: with no history it is 0.5 — ten imagined trades, half won — and the hunter's
/// own record outweighs the prior only once it has more than ten closed trades of its own. At p = 0.5 a bet needs a
/// payoff ratio above 1 after costs to be taken at all, which is the conservative part.
/// </para>
/// <para>
/// The bankroll share put at risk is KellyFraction × f*, so the contracts are that share of the bankroll divided by the
/// loss per contract; then the entry notional is capped at MaxBankrollFraction of the bankroll. The risk gate still
/// applies its limits afterwards and may shrink or refuse the trade.
/// </para>
/// </remarks>
public sealed class KellySizer
{
    /// <summary>Beta prior pseudo-wins.</summary>
    public const double PriorWins = 5;

    /// <summary>Beta prior pseudo-losses.</summary>
    public const double PriorLosses = 5;

    /// <summary>Closed spike trades that made money.</summary>
    public int Wins { get; private set; }

    /// <summary>Closed spike trades that lost or broke even.</summary>
    public int Losses { get; private set; }

    /// <summary>The posterior mean win rate.</summary>
    public double WinRate => (Wins + PriorWins) / (Wins + Losses + PriorWins + PriorLosses);

    /// <summary>Counts a closed trade: a win when it made money after fees.</summary>
    public void RecordClosedTrade(decimal realizedPnl)
    {
        if (realizedPnl > 0m) Wins++;
        else Losses++;
    }

    /// <summary>Starts from a history (e.g. the stored record after a restart).</summary>
    public void Restore(int wins, int losses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wins);
        ArgumentOutOfRangeException.ThrowIfNegative(losses);
        Wins = wins;
        Losses = losses;
    }

    /// <summary>
    /// Sizes a trade that wins <paramref name="win"/> or loses <paramref name="loss"/> per contract (both positive
    /// dollars), entered at <paramref name="entryPrice"/>, against <paramref name="bankroll"/>. Contracts are not
    /// rounded to a venue's step here. Zero contracts when there is no edge.
    /// </summary>
    public KellySize Size(decimal win, decimal loss, decimal entryPrice, decimal bankroll, decimal kellyFraction, decimal maxBankrollFraction)
    {
        var p = WinRate;
        var edge = (decimal)p * win - (decimal)(1 - p) * loss;
        if (win <= 0m || loss <= 0m || entryPrice <= 0m || bankroll <= 0m) return new KellySize(p, 0, 0, 0m, edge, false);
        var b = (double)(win / loss);
        var full = p - (1 - p) / b;
        if (full <= 0) return new KellySize(p, full, 0, 0m, edge, false);
        var taken = full * (double)kellyFraction;
        var byKelly = (decimal)taken * bankroll / loss;
        var byCap = maxBankrollFraction * bankroll / entryPrice;
        return new KellySize(p, full, taken, Math.Min(byKelly, byCap), edge, byCap < byKelly);
    }
}
