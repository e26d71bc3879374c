using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// An order's signed amounts in 6-decimal base units: what the maker gives and what it wants back. For a BUY the
/// maker gives pUSD and takes shares; for a SELL it gives shares and takes pUSD.
/// </summary>
public sealed record PolymarketOrderAmounts(long MakerAmount, long TakerAmount)
{
    private const decimal TokenUnits = 1_000_000m;

    /// <summary>
    /// Amounts of a limit order of <paramref name="size"/> shares at <paramref name="price"/>, with py-clob-client's
    /// rounding (order_builder/builder.py): price to the tick's digits half-even, size down to 2 decimals, and the
    /// notional leg up to amount+4 digits then down to the tick's amount digits. Exact decimal arithmetic, so no cent
    /// is lost to binary floating point as it can be in the Python client.
    /// </summary>
    public static PolymarketOrderAmounts ForLimitOrder(Side side, decimal price, decimal size, TickSize tick)
    {
        var rounding = RoundingFor(tick);
        var rawPrice = CheckedPrice(price, tick, rounding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var shares = RoundDown(size, rounding.Size);
        var notional = FitAmount(shares * rawPrice, rounding.Amount);
        return side == Side.Buy ? Create(notional, shares) : Create(shares, notional);
    }

    /// <summary>
    /// Amounts of a market order: for a BUY <paramref name="amount"/> is pUSD to spend (shares = amount / price), for a
    /// SELL it is shares to sell (proceeds = shares × price); <paramref name="price"/> is the worst price accepted.
    /// </summary>
    public static PolymarketOrderAmounts ForMarketOrder(Side side, decimal price, decimal amount, TickSize tick)
    {
        var rounding = RoundingFor(tick);
        var rawPrice = CheckedPrice(price, tick, rounding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var given = RoundDown(amount, rounding.Size);
        var taken = FitAmount(side == Side.Buy ? given / rawPrice : given * rawPrice, rounding.Amount);
        return Create(given, taken);
    }

    private static PolymarketOrderAmounts Create(decimal maker, decimal taker)
    {
        var makerUnits = ToTokenUnits(maker);
        var takerUnits = ToTokenUnits(taker);
        // An order for nothing would be refused by the venue; say so here, where the cause is visible.
        if (makerUnits == 0 || takerUnits == 0) throw new ArgumentOutOfRangeException(nameof(maker), "The order rounds to a zero amount.");
        return new PolymarketOrderAmounts(makerUnits, takerUnits);
    }

    private static decimal CheckedPrice(decimal price, TickSize tick, Rounding rounding)
    {
        var rawPrice = Math.Round(price, rounding.Price, MidpointRounding.ToEven);
        if (rawPrice < tick.Value || rawPrice > 1m - tick.Value)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, $"A price must lie in [{tick}, {1m - tick.Value}] for tick {tick}.");
        }
        return rawPrice;
    }

    // The notional leg may carry more digits than the contract accepts; rounding up first at amount+4 digits absorbs
    // representation noise (…9999 tails) before the final round-down, exactly as the official clients do.
    private static decimal FitAmount(decimal value, int digits)
    {
        if (Decimals(value) <= digits) return value;
        value = Math.Round(value, digits + 4, MidpointRounding.ToPositiveInfinity);
        return Decimals(value) <= digits ? value : RoundDown(value, digits);
    }

    private static long ToTokenUnits(decimal value) => (long)Math.Round(value * TokenUnits, 0, MidpointRounding.ToEven);

    private static decimal RoundDown(decimal value, int digits) => Math.Round(value, digits, MidpointRounding.ToNegativeInfinity);

    private static int Decimals(decimal value)
    {
        var scale = value.Scale;
        while (scale > 0 && Math.Round(value, scale - 1) == value) scale--;
        return scale;
    }

    private static Rounding RoundingFor(TickSize tick) => tick.Units switch
    {
        1000 => new Rounding(1, 2, 3),   // 0.1
        100 => new Rounding(2, 2, 4),    // 0.01
        50 => new Rounding(3, 2, 5),     // 0.005 (clob-client-v2)
        10 => new Rounding(3, 2, 5),     // 0.001
        25 => new Rounding(4, 2, 6),     // 0.0025 (clob-client-v2)
        1 => new Rounding(4, 2, 6),      // 0.0001
        _ => throw new ArgumentOutOfRangeException(nameof(tick), tick, "Polymarket has no rounding rule for this tick size."),
    };

    private readonly record struct Rounding(int Price, int Size, int Amount);
}
