using System.Globalization;

namespace ArbBot.Engine.Core;

/// <summary>
/// A price as a probability in [0, 1], held exactly as a whole number of 1/10,000ths ("units").
/// Every tick grid the venues use (Kalshi 0.01 and 0.001; Polymarket 0.1, 0.01, 0.005, 0.001, 0.0025, 0.0001)
/// is a whole number of units, so prices compare and index as integers on the hot path and convert to
/// <see cref="decimal"/> exactly for money.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(PriceJsonConverter))]
public readonly record struct Price : IComparable<Price>
{
    /// <summary>Units per 1.0 (one dollar per contract).</summary>
    public const int Scale = 10_000;

    /// <summary>The price in 1/10,000ths of a dollar, 0..10,000.</summary>
    public int Units { get; }

    private Price(int units) => Units = units;

    public static Price Zero => default;
    public static Price One => new(Scale);

    /// <summary>Creates a price from units, refusing values outside [0, 1].</summary>
    public static Price FromUnits(int units) =>
        (uint)units <= Scale ? new Price(units) : throw new ArgumentOutOfRangeException(nameof(units), units, "A price must lie in [0, 1].");

    /// <summary>Creates a price from a decimal probability, refusing values outside [0, 1] or finer than 0.0001.</summary>
    public static Price FromDecimal(decimal value)
    {
        if (!TryFromDecimal(value, out var price))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A price must lie in [0, 1] on a 0.0001 grid.");
        }
        return price;
    }

    public static bool TryFromDecimal(decimal value, out Price price)
    {
        price = default;
        if (value < 0m || value > 1m) return false;
        var scaled = value * Scale;
        if (scaled != decimal.Truncate(scaled)) return false;
        price = new Price((int)scaled);
        return true;
    }

    /// <summary>Parses a venue price string such as "0.4500" or ".45" (invariant culture).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Price price)
    {
        price = default;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && TryFromDecimal(value, out price);
    }

    /// <summary>The price as a decimal probability, with no trailing zeros (0.45, not 0.4500).</summary>
    public decimal Value
    {
        get
        {
            // Built from the units instead of dividing by 10,000: decimal division is the costliest step of pricing a
            // book update. The result is the very decimal the division gives (same digits, same scale).
            var units = Units;
            byte scale = 4;
            while (scale > 0 && units % 10 == 0)
            {
                units /= 10;
                scale--;
            }
            return new decimal(units, 0, 0, false, units == 0 ? (byte)0 : scale);
        }
    }

    /// <summary>The other side of a binary contract: 1 − p (a YES bid at 0.07 is a NO ask at 0.93).</summary>
    public Price Complement => new(Scale - Units);

    public bool IsOnGrid(TickSize tick) => Units % tick.Units == 0;

    public int CompareTo(Price other) => Units.CompareTo(other.Units);
    public static bool operator <(Price a, Price b) => a.Units < b.Units;
    public static bool operator >(Price a, Price b) => a.Units > b.Units;
    public static bool operator <=(Price a, Price b) => a.Units <= b.Units;
    public static bool operator >=(Price a, Price b) => a.Units >= b.Units;

    public override string ToString() => Value.ToString("0.0###", CultureInfo.InvariantCulture);
}

/// <summary>The smallest price step of a market, in <see cref="Price"/> units.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(TickSizeJsonConverter))]
public readonly record struct TickSize
{
    public int Units { get; }

    private TickSize(int units) => Units = units;

    public static TickSize Cent => new(100);
    public static TickSize DeciCent => new(10);

    /// <summary>
    /// Creates a tick size from a decimal such as 0.01; it must be positive, at most 0.1, a whole number of units and
    /// divide 1 exactly.
    /// </summary>
    public static TickSize FromDecimal(decimal value)
    {
        if (!TryFromDecimal(value, out var tick))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A tick size must be positive, at most 0.1, a multiple of 0.0001 and divide 1 exactly.");
        }
        return tick;
    }

    public static bool TryFromDecimal(decimal value, out TickSize tick)
    {
        tick = default;
        if (value <= 0m || value > 0.1m) return false;
        var scaled = value * Price.Scale;
        if (scaled != decimal.Truncate(scaled)) return false;
        // A grid that does not divide 1 (e.g. 0.0003) has no tick at 1 − tick, so MaxPrice and Ceiling would
        // produce prices off the grid; no venue uses one.
        if (Price.Scale % (int)scaled != 0) return false;
        tick = new TickSize((int)scaled);
        return true;
    }

    public decimal Value => Units / (decimal)Price.Scale;

    /// <summary>Rounds a price down to this grid (the conservative side for a bid).</summary>
    public Price Floor(Price p) => Price.FromUnits(p.Units - p.Units % Units);

    /// <summary>Rounds a price up to this grid (the conservative side for an ask).</summary>
    public Price Ceiling(Price p)
    {
        var rem = p.Units % Units;
        return rem == 0 ? p : Price.FromUnits(Math.Min(Price.Scale, p.Units + Units - rem));
    }

    /// <summary>The lowest valid order price on this grid (one tick).</summary>
    public Price MinPrice => Price.FromUnits(Units);

    /// <summary>The highest valid order price on this grid (one minus one tick).</summary>
    public Price MaxPrice => Price.FromUnits(Price.Scale - Units);

    public override string ToString() => Value.ToString("0.0###", CultureInfo.InvariantCulture);
}
