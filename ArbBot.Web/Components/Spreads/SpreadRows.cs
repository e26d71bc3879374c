using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Strategies.CrossVenueArb;

namespace ArbBot.Web.Components.Spreads;

/// <summary>An approved pair's line on the Spreads page.</summary>
public sealed record SpreadRow(long PairId, string KalshiTitle, string PolymarketTitle, string Mapping, IReadOnlyList<SetRow> Sets, LastOpportunity? LastOpportunity);

/// <summary>One arb set of a pair: the two asks it buys and what buying both at the top of the books would earn.</summary>
/// <param name="Priced">False when the books could not be priced (missing, stale, nobody selling): the figures are then not shown.</param>
public sealed record SetRow(int SetIndex, string Name, string State, bool Priced, Price KalshiAsk, Price PolymarketAsk, decimal GrossEdge, decimal NetEdge, decimal SizeAvailable);

/// <summary>The latest opportunity on a pair: when, what the desk decided, and why.</summary>
public sealed record LastOpportunity(DateTimeOffset At, string Decision, string Reason);

/// <summary>Builds the Spreads page's rows from a desk snapshot.</summary>
public static class SpreadRows
{
    /// <summary>Approved pairs shown per page of the Spreads table.</summary>
    public const int PageSize = 50;

    /// <summary>How many approved pairs the snapshot has (the rows <see cref="Build"/> can make).</summary>
    public static int CountApproved(DeskSnapshot snapshot) => snapshot.Pairs.Count(p => p.Status == PairStatus.Approved);

    /// <summary>
    /// The rows of the approved pairs in the snapshot's order, from the <paramref name="skip"/>th, at most
    /// <paramref name="take"/> of them (all by default). A page builds and renders only the pairs it shows: every open
    /// page does it again on every refresh (four a second), so a desk with 500 pairs and a whole table per refresh per
    /// browser would spend its cores on rendering.
    /// </summary>
    public static IReadOnlyList<SpreadRow> Build(DeskSnapshot snapshot, InstrumentRegistry registry, Func<long, LastOpportunity?> lastOpportunity,
        int skip = 0, int take = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        var rows = new List<SpreadRow>(Math.Min(take, snapshot.Pairs.Count));
        var shown = snapshot.Pairs.Where(p => p.Status == PairStatus.Approved).Skip(skip).Take(take).ToList();
        if (shown.Count == 0) return rows;
        // Grouped once, not searched per pair (pairs × spreads comparisons: 500 pairs, half a million per build).
        var spreadsByPair = snapshot.Spreads.ToLookup(s => s.PairId);
        foreach (var pair in shown)
        {
            var sets = spreadsByPair[pair.Id].OrderBy(s => s.SetIndex)
                .Select(s => new SetRow(s.SetIndex, SetName(registry, s), StateInWords(s.State), IsPriced(s.State), s.KalshiAsk, s.PolymarketAsk, s.GrossEdge, s.NetEdge, s.SizeAvailable))
                .ToList();
            rows.Add(new SpreadRow(pair.Id, Title(registry, VenueId.Kalshi, pair.KalshiMarketKey), Title(registry, VenueId.Polymarket, pair.PolymarketMarketKey),
                MappingInWords(pair.Mapping), sets, lastOpportunity(pair.Id)));
        }
        return rows;
    }

    public static string Title(InstrumentRegistry registry, VenueId venue, string marketKey) =>
        registry.TryGetMarket(venue, marketKey, out var market) ? Title(market) : marketKey + " (not listed now)";

    public static string Title(Market market) => market.OutcomeLabel is "Yes" or "" ? market.Title : $"{market.Title} · {market.OutcomeLabel}";

    public static string MappingInWords(PairMapping mapping) => mapping == PairMapping.YesNo
        ? "Kalshi YES pays when Polymarket NO pays"
        : "Kalshi YES pays when Polymarket YES pays";

    public static string SetName(InstrumentRegistry registry, ArbSetSpread spread) =>
        $"{Side(registry, spread.Kalshi)} on Kalshi + {Side(registry, spread.Polymarket)} on Polymarket";

    // Figures mean something only once both books were fresh and had asks.
    public static bool IsPriced(ArbSetState state) => state is ArbSetState.NoEdge or ArbSetState.Edge;

    public static string StateInWords(ArbSetState state) => state switch
    {
        ArbSetState.NotEvaluated => "Not looked at yet",
        ArbSetState.MissingBook => "Waiting for a book",
        ArbSetState.StaleBook => "Book stale: not trading",
        ArbSetState.NoAsks => "Nobody selling",
        ArbSetState.NoEdge => "No edge",
        ArbSetState.Edge => "Edge found",
        _ => state.ToString(),
    };

    private static string Side(InstrumentRegistry registry, InstrumentId id) => registry[id].IsYes ? "YES" : "NO";
}
