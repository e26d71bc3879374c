using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Matching;

/// <summary>A pair with both venues' markets side by side, for the approval view and the API.</summary>
public sealed record PairDetails(MarketPair Pair, PairComparison? Comparison);

/// <summary>
/// Keeps the pairs: stores new suggestions after discovery (never approving any), and carries out the lifecycle
/// commands (approve, pause, resume, retire) — each persisted with its audit entry in one transaction, then applied to
/// the engine on the hub's thread.
/// </summary>
public sealed class PairService(
    IDbContextFactory<ArbBotDbContext> contexts,
    InstrumentRegistry registry,
    MarketDataHub hub,
    DeskEngine engine,
    TimeProvider time,
    ILogger<PairService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PairSuggester _suggester = new();

    /// <summary>
    /// Loads every stored pair, adds suggestions for market combinations not seen before, and hands them all to the
    /// engine (which trades only the approved ones). Call after discovery.
    /// </summary>
    public async Task<int> LoadAndSuggestAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var existing = await db.Pairs.ToListAsync(cancellationToken).ConfigureAwait(false);
            var known = existing.Select(p => (p.KalshiMarketKey, p.PolymarketMarketKey)).ToHashSet();
            var markets = registry.Markets;
            var suggestions = _suggester.Suggest(markets.Where(m => m.Venue == VenueId.Kalshi), markets.Where(m => m.Venue == VenueId.Polymarket));
            var now = time.GetUtcNow();
            var added = 0;
            foreach (var suggestion in suggestions)
            {
                if (!known.Add((suggestion.KalshiMarketKey, suggestion.PolymarketMarketKey))) continue;
                db.Pairs.Add(ToRow(suggestion.ToMarketPair(0, now)));
                added++;
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            var pairs = await db.Pairs.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            await ApplyAsync(pairs.Select(FromRow).ToList(), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Pairs: {Total} known ({Approved} approved), {Added} new suggestions", pairs.Count,
                pairs.Count(p => p.Status == nameof(PairStatus.Approved)), added);
            return added;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<MarketPair>> ListAsync(PairStatus? status, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Pairs.AsNoTracking();
        if (status is { } s) query = query.Where(p => p.Status == s.ToString());
        var rows = await query.OrderByDescending(p => p.Score).ThenBy(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task<PairDetails?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Pairs.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new PairDetails(FromRow(row), Compare(row.KalshiMarketKey, row.PolymarketMarketKey));
    }

    public Task<CommandResult<MarketPair>> ApproveAsync(long id, PairMapping? mapping, string actor, CancellationToken cancellationToken) =>
        TransitionAsync(id, PairAction.Approve, actor, mapping, cancellationToken);

    public Task<CommandResult<MarketPair>> PauseAsync(long id, string actor, CancellationToken cancellationToken) =>
        TransitionAsync(id, PairAction.Pause, actor, null, cancellationToken);

    public Task<CommandResult<MarketPair>> ResumeAsync(long id, string actor, CancellationToken cancellationToken) =>
        TransitionAsync(id, PairAction.Resume, actor, null, cancellationToken);

    public Task<CommandResult<MarketPair>> RetireAsync(long id, string actor, CancellationToken cancellationToken) =>
        TransitionAsync(id, PairAction.Retire, actor, null, cancellationToken);

    private async Task<CommandResult<MarketPair>> TransitionAsync(long id, PairAction action, string actor, PairMapping? mapping, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var row = await db.Pairs.SingleOrDefaultAsync(p => p.Id == id, cancellationToken).ConfigureAwait(false);
            if (row is null) return CommandResult<MarketPair>.Refused(new CommandError("id", $"There is no pair {id}."));
            var pair = FromRow(row);
            // Approving needs a confirmed mapping: the one given, else the one the matcher proposed.
            var confirmed = action == PairAction.Approve ? mapping ?? pair.Mapping : mapping;
            var comparison = action == PairAction.Approve ? Compare(row.KalshiMarketKey, row.PolymarketMarketKey) : null;
            if (action == PairAction.Approve && comparison is null)
            {
                return CommandResult<MarketPair>.Refused(new CommandError("id",
                    $"Pair {id} refers to a market no venue lists right now ({row.KalshiMarketKey} / {row.PolymarketMarketKey}); it cannot be approved."));
            }
            if (!PairLifecycle.TryTransition(pair, action, actor, time.GetUtcNow(), out var change, out var refusal, confirmed, comparison))
            {
                return CommandResult<MarketPair>.Refused(new CommandError("status", refusal));
            }
            db.Entry(row).CurrentValues.SetValues(ToRow(change.Pair));
            db.Audit.Add(change.ToAuditEntry());
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            await ApplyAsync([change.Pair], cancellationToken).ConfigureAwait(false);
            logger.LogInformation("{Action} pair {Pair} ({Kalshi} / {Polymarket}, {Mapping}) by {Actor}", change.Action, id,
                change.Pair.KalshiMarketKey, change.Pair.PolymarketMarketKey, change.Pair.Mapping, actor);
            return CommandResult<MarketPair>.Ok(change.Pair);
        }
        finally
        {
            _gate.Release();
        }
    }

    private PairComparison? Compare(string kalshiKey, string polymarketKey)
    {
        if (!registry.TryGetMarket(VenueId.Kalshi, kalshiKey, out var kalshi) || !registry.TryGetMarket(VenueId.Polymarket, polymarketKey, out var polymarket))
        {
            return null;
        }
        registry.TryGetEvent(VenueId.Kalshi, kalshi.EventKey, out var kalshiEvent);
        registry.TryGetEvent(VenueId.Polymarket, polymarket.EventKey, out var polymarketEvent);
        return PairComparison.Build(kalshi, kalshiEvent, polymarket, polymarketEvent);
    }

    private async Task ApplyAsync(IReadOnlyList<MarketPair> pairs, CancellationToken cancellationToken)
    {
        var work = new ApplyWork(engine, pairs, logger);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static PairRow ToRow(MarketPair pair) => new()
    {
        Id = pair.Id,
        KalshiMarketKey = pair.KalshiMarketKey,
        PolymarketMarketKey = pair.PolymarketMarketKey,
        Mapping = pair.Mapping.ToString(),
        Status = pair.Status.ToString(),
        Score = pair.Score,
        ReasonsJson = JsonSerializer.Serialize(pair.Reasons, Json),
        WarningsJson = JsonSerializer.Serialize(pair.Warnings, Json),
        CreatedUtc = pair.CreatedAt.UtcDateTime,
        UpdatedUtc = pair.UpdatedAt.UtcDateTime,
        ApprovedBy = pair.ApprovedBy,
    };

    internal static MarketPair FromRow(PairRow row) => new(
        row.Id,
        row.KalshiMarketKey,
        row.PolymarketMarketKey,
        Enum.Parse<PairMapping>(row.Mapping),
        Enum.Parse<PairStatus>(row.Status),
        row.Score,
        JsonSerializer.Deserialize<string[]>(row.ReasonsJson, Json) ?? [],
        JsonSerializer.Deserialize<string[]>(row.WarningsJson, Json) ?? [],
        new DateTimeOffset(DateTime.SpecifyKind(row.CreatedUtc, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedUtc, DateTimeKind.Utc)),
        row.ApprovedBy);

    private sealed class ApplyWork(DeskEngine engine, IReadOnlyList<MarketPair> pairs, ILogger logger) : IHubWork
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub)
        {
            foreach (var pair in pairs)
            {
                var registration = engine.SetPair(pair);
                if (pair.Status == PairStatus.Approved && registration != Strategies.CrossVenueArb.PairRegistration.Active)
                {
                    logger.LogWarning("Approved pair {Pair} is not traded: {Registration}", pair.Id, registration);
                }
            }
            Done.TrySetResult();
        }
    }
}
