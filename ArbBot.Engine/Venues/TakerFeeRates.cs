using System.Collections.Concurrent;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Engine.Venues;

/// <summary>
/// A venue's marginal taker fee rate at every price (0 to 1 in steps of 1/10,000): the fee of
/// <see cref="Probe"/> contracts divided back, which is what the sizers' ladder walks charge per contract. Each entry is
/// the very decimal the fee formula gives (computed by it once), so using the table changes no figure; it only takes
/// two decimal divisions and the fee formula off every step of a walk.
/// </summary>
/// <remarks>
/// Only the venues' own fee models, which are pure functions of their terms, price and (Kalshi) the member's balance
/// precision, are tabled; any other model is asked every time. Tables are shared by every market with the same model and
/// terms (a handful of distinct terms), and built on first use; 10,001 decimals each.
/// </remarks>
public sealed class TakerFeeRates
{
    /// <summary>The fee of this many contracts divided back is a venue's fee rate with rounding below $10⁻⁸.</summary>
    public const decimal Probe = 1_000_000m;

    // Keyed by what decides the model's answers (its type and, for Kalshi, the member's balance precision), not by the
    // instance: every desk (each replay builds one) makes its own instances, so an instance key would add tables for as
    // long as the process runs.
    private static readonly ConcurrentDictionary<(Type Model, decimal Precision, FeeParameters Fees), TakerFeeRates> Shared = new();

    private readonly IFeeModel _model;
    private readonly FeeParameters _fees;
    private readonly decimal[]? _rates;

    private TakerFeeRates(IFeeModel model, FeeParameters fees, bool tabled)
    {
        _model = model;
        _fees = fees;
        if (!tabled) return;
        _rates = new decimal[Price.Scale + 1];
        for (var units = 0; units <= Price.Scale; units++) _rates[units] = Formula(model, fees, Price.FromUnits(units));
    }

    /// <summary>The rates of <paramref name="model"/> under <paramref name="fees"/> (shared; tabled for the venues' own models).</summary>
    public static TakerFeeRates For(IFeeModel model, in FeeParameters fees)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not (KalshiFeeModel or PolymarketFeeModel)) return new TakerFeeRates(model, fees, tabled: false);
        var precision = model is KalshiFeeModel kalshi ? kalshi.BalancePrecision : 0m;
        return Shared.GetOrAdd((model.GetType(), precision, fees), static (key, model) => new TakerFeeRates(model, key.Fees, tabled: true), model);
    }

    /// <summary>True when the rates come from a table rather than the formula on every call.</summary>
    public bool Tabled => _rates is not null;

    /// <summary>The taker fee per contract at <paramref name="price"/>, exactly as <see cref="Formula"/> gives it.</summary>
    public decimal this[Price price] =>
        _rates is { } rates && (uint)price.Units < (uint)rates.Length ? rates[price.Units] : Formula(_model, _fees, price);

    /// <summary>The fee of <see cref="Probe"/> contracts at <paramref name="price"/>, divided back.</summary>
    public static decimal Formula(IFeeModel model, in FeeParameters fees, Price price) =>
        model.Fee(fees, price, Probe, Liquidity.Taker) / Probe;
}
