using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Simulated;

/// <summary>
/// A group of world outcomes that move together: one outcome for a yes/no question, or the mutually exclusive and
/// exhaustive outcomes of a multi-outcome event (their fair values always sum to 1).
/// </summary>
public sealed record SimulatedOutcomeGroup(string Key, int FirstOutcome, int Count, IReadOnlyList<string> Labels, IReadOnlyList<double> InitialProbabilities)
{
    /// <summary>True for a multi-outcome event.</summary>
    public bool IsMultiOutcome => Count > 1;
}

/// <summary>
/// One market as a simulated venue lists it, tied to the world outcome it pays on.
/// </summary>
public sealed record SimulatedListing(
    VenueId Venue,
    string EventKey,
    /// <summary>Kalshi market ticker or Polymarket condition id.</summary>
    string MarketKey,
    string Title,
    string Rules,
    string SettlementSource,
    DateTimeOffset CloseTime,
    string OutcomeLabel,
    FeeParameters Fees,
    decimal MinOrderSize,
    /// <summary>A tick this market uses whatever the venue's default (Polymarket's 0.001 markets); null for the default.</summary>
    TickSize? FixedTickSize,
    string YesSymbol,
    string NoSymbol,
    /// <summary>Index of the world outcome whose fair value drives this market.</summary>
    int Outcome,
    /// <summary>True when this market's YES pays if the outcome does NOT happen.</summary>
    bool Negated,
    /// <summary>True when the market was listed to resemble another venue's market it is not the same as.</summary>
    bool IsDecoy)
{
    /// <summary>The market as the engine registers it, on <paramref name="defaultTick"/> unless it has a fixed tick.</summary>
    public Market ToMarket(TickSize defaultTick) =>
        new(Venue, MarketKey, EventKey, Title, Rules, SettlementSource, CloseTime, FixedTickSize ?? defaultTick, MinOrderSize, OutcomeLabel, Fees,
            // Kalshi trades whole contracts; Polymarket shares to two decimals.
            QuantityStep: Venue == VenueId.Polymarket ? 0.01m : 1m);
}

/// <summary>
/// Ground truth: a Kalshi market and a Polymarket market that are the same contract. When <paramref name="YesIsNo"/>
/// is true one venue phrases it negatively, so Kalshi's YES equals Polymarket's NO.
/// </summary>
public sealed record SimulatedMatch(string KalshiMarketKey, string PolymarketMarketKey, bool YesIsNo);

/// <summary>
/// The simulator's world: about twenty real-looking events listed on both simulated venues under each venue's own
/// naming, with multi-outcome events, negatively phrased twins and decoys.
/// </summary>
/// <remarks>
/// <see cref="GroundTruthMatches"/> exists so tests can score pair matching. The engine must never use it to approve a
/// pair: approval is an admin's decision on what the venues publish, exactly as with real venues.
/// </remarks>
public sealed partial class SimulatedCatalog
{
    private readonly List<SimulatedOutcomeGroup> _groups = [];
    private readonly List<double> _initial = [];
    private readonly List<int> _groupOfOutcome = [];
    private readonly List<SimulatedListing> _listings = [];
    private readonly List<VenueEvent> _events = [];
    private readonly int _seed;

    private SimulatedCatalog(int seed) => _seed = seed;

    /// <summary>Builds the catalog; <paramref name="seed"/> fixes the Polymarket condition and token ids.</summary>
    public static SimulatedCatalog Create(int seed)
    {
        var catalog = new SimulatedCatalog(seed);
        catalog.Populate();
        catalog.GroundTruthMatches = catalog.ComputeMatches();
        return catalog;
    }

    public IReadOnlyList<SimulatedOutcomeGroup> Groups => _groups;

    /// <summary>How many world outcomes there are (one fair value each).</summary>
    public int OutcomeCount => _initial.Count;

    /// <summary>The group an outcome belongs to.</summary>
    public int GroupOf(int outcome) => _groupOfOutcome[outcome];

    /// <summary>Both venues' listings, in a fixed order.</summary>
    public IReadOnlyList<SimulatedListing> Listings => _listings;

    /// <summary>Both venues' events.</summary>
    public IReadOnlyList<VenueEvent> Events => _events;

    /// <summary>Which Kalshi and Polymarket markets are truly the same contract. For tests only; see the remarks.</summary>
    public IReadOnlyList<SimulatedMatch> GroundTruthMatches { get; private set; } = [];

    public IEnumerable<SimulatedListing> ListingsOf(VenueId venue) => _listings.Where(l => l.Venue == venue);

    public IEnumerable<VenueEvent> EventsOf(VenueId venue) => _events.Where(e => e.Venue == venue);

    private List<SimulatedMatch> ComputeMatches()
    {
        var matches = new List<SimulatedMatch>();
        foreach (var k in ListingsOf(VenueId.Kalshi))
        {
            foreach (var p in ListingsOf(VenueId.Polymarket))
            {
                if (k.Outcome == p.Outcome) matches.Add(new SimulatedMatch(k.MarketKey, p.MarketKey, k.Negated != p.Negated));
            }
        }
        return matches;
    }

    // ---- building blocks used by the catalog data ----

    /// <summary>A yes/no world question; returns its outcome index.</summary>
    private int Question(string key, double probability) => Group(key, ("Yes", probability));

    /// <summary>A multi-outcome world event; returns the index of its first outcome (the rest follow in order).</summary>
    private int Group(string key, params (string Label, double Probability)[] outcomes)
    {
        var first = _initial.Count;
        var total = outcomes.Sum(o => o.Probability);
        foreach (var (_, p) in outcomes)
        {
            // Multi-outcome groups are normalized so their fair values start (and stay) exhaustive.
            _initial.Add(outcomes.Length > 1 ? p / total : p);
            _groupOfOutcome.Add(_groups.Count);
        }
        _groups.Add(new SimulatedOutcomeGroup(key, first, outcomes.Length, outcomes.Select(o => o.Label).ToArray(),
            _initial.Skip(first).ToArray()));
        return first;
    }

    /// <summary>Initial fair value of an outcome.</summary>
    internal double InitialProbability(int outcome) => _initial[outcome];

    private void KalshiEvent(string eventTicker, string title, string category, bool mutuallyExclusive = false) =>
        _events.Add(new VenueEvent(VenueId.Kalshi, eventTicker, title, category, mutuallyExclusive, NegRisk: false, Augmented: false));

    private void Kalshi(string eventTicker, string suffix, string title, string rules, string source, DateTimeOffset close, int outcome,
        bool negated = false, bool makerFees = false, string label = "Yes", bool decoy = false)
    {
        var ticker = $"{eventTicker}-{suffix}";
        var fees = makerFees ? Venues.Kalshi.KalshiFeeModel.QuadraticWithMakerFees : Venues.Kalshi.KalshiFeeModel.Quadratic;
        _listings.Add(new SimulatedListing(VenueId.Kalshi, eventTicker, ticker, title, rules, source, close, label, fees, 1m, null,
            $"{ticker}:yes", $"{ticker}:no", outcome, negated, decoy));
    }

    private void PolymarketEvent(string slug, string title, string category, bool negRisk = false, bool augmented = false) =>
        _events.Add(new VenueEvent(VenueId.Polymarket, slug, title, category, MutuallyExclusive: negRisk, negRisk, augmented));

    private void Polymarket(string slug, string question, string rules, string source, DateTimeOffset close, int outcome,
        bool negated = false, bool fineTick = false, bool cryptoFees = false, string label = "Yes", bool decoy = false)
    {
        var conditionId = "0x" + Convert.ToHexStringLower(Hash($"condition|{slug}|{question}"));
        // Crypto markets carry the V2 taker fee of the published vectors (rate 0.25, exponent 2); the rest are fee-free.
        var fees = cryptoFees ? Venues.Polymarket.PolymarketFeeModel.Parameters(0.25m, 2) : FeeParameters.None;
        _listings.Add(new SimulatedListing(VenueId.Polymarket, slug, conditionId, question, rules, source, close, label, fees, 5m,
            fineTick ? TickSize.DeciCent : null, TokenId(conditionId, "Yes"), TokenId(conditionId, "No"), outcome, negated, decoy));
    }

    /// <summary>Polymarket token ids are 256-bit integers written in decimal.</summary>
    private string TokenId(string conditionId, string side) =>
        new BigInteger(Hash($"token|{conditionId}|{side}"), isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);

    private byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes($"{_seed.ToString(CultureInfo.InvariantCulture)}|{text}"));

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 23, int minute = 59) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);
}
