using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Venues;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Lifecycle;

/// <summary>
/// Brings a restarted desk back to what its records say before it trades again: positions, cash and PnL are rebuilt
/// by replaying every recorded fill into the portfolio (fills are the source of truth; the positions table is a
/// periodic summary that can lag a crash), then each venue is asked for our open orders and fills and the records are
/// reconciled with its answer. The desk holds trading (<see cref="DeskLifecycle"/>) until every venue has answered.
/// </summary>
/// <remarks>
/// Durability after a <c>kill -9</c>: a fill is in memory (positions, hedging) the moment the venue reports it and in
/// the database once the batching writer commits it, a few milliseconds later. Nothing announces a fill outside the
/// process before that commit (see <see cref="RecordWriter.Committed"/>). A crash in between loses the unsaved fills
/// from the records; on restart the portfolio is rebuilt from what was saved, and the venue's own report of fills
/// since the last saved one fills the gap. The paper venue lives in the process, so with paper execution those fills
/// never existed anywhere else and the rebuilt positions equal the recorded fills exactly.
/// </remarks>
public sealed class RestartRecovery(
    IDbContextFactory<ArbBotDbContext> contexts,
    MarketDataHub hub,
    DeskPortfolio portfolio,
    VenueSet venues,
    RecordWriter writer,
    IEngineJournal journal,
    DeskLifecycle lifecycle,
    TimeProvider time,
    ILogger<RestartRecovery> logger)
{
    private static readonly string[] FinalStatuses =
        [nameof(OrderStatus.Filled), nameof(OrderStatus.Cancelled), nameof(OrderStatus.Rejected), nameof(OrderStatus.Expired)];

    /// <summary>Rebuilds positions from the recorded fills (on the hub's thread); returns how many fills were applied.</summary>
    public async Task<int> RebuildPositionsAsync(CancellationToken cancellationToken)
    {
        List<FillRow> rows;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            rows = await db.Fills.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        // Order matters for average cost and realized PnL: replay in the order they happened.
        rows.Sort((a, b) => a.AtUtc != b.AtUtc ? a.AtUtc.CompareTo(b.AtUtc) : string.CompareOrdinal(a.FillId, b.FillId));
        var fills = new List<Fill>(rows.Count);
        var unknown = 0;
        foreach (var row in rows)
        {
            if (ToFill(row) is { } fill) fills.Add(fill);
            else unknown++;
        }
        var work = new ApplyFillsWork(portfolio, fills, startToday: true);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        var applied = await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (unknown > 0)
        {
            logger.LogWarning("{Unknown} recorded fills are in markets the venues no longer list; their positions are not rebuilt", unknown);
        }
        if (applied > 0) logger.LogInformation("Positions rebuilt from {Fills} recorded fills", applied);
        return applied;
    }

    /// <summary>
    /// Reconciles each venue's report with the records: orders stored as open that the venue no longer has are closed
    /// in the records, fills the venue made that were not recorded are recorded and booked, and orders open at the
    /// venue the records do not know are cancelled there. Each venue marks itself reconciled in <see cref="DeskLifecycle"/>.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        List<OrderRow> open;
        DateTime lastFill;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            open = await db.Orders.AsNoTracking().Where(o => !FinalStatuses.Contains(o.Status)).ToListAsync(cancellationToken).ConfigureAwait(false);
            lastFill = await db.Fills.MaxAsync(f => (DateTime?)f.AtUtc, cancellationToken).ConfigureAwait(false) ?? DateTime.MinValue;
        }
        lifecycle.BeginReconciling(venues.Gateways.Keys);
        var since = new DateTimeOffset(DateTime.SpecifyKind(lastFill, DateTimeKind.Utc));
        await Task.WhenAll(venues.Gateways.Values.Select(g => ReconcileVenueAsync(g, open.Where(o => o.Venue == g.Venue.ToString()).ToList(), since, cancellationToken)))
            .ConfigureAwait(false);
    }

    private async Task ReconcileVenueAsync(IOrderGateway gateway, List<OrderRow> storedOpen, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var result = gateway is IOrderReconciliation reconciliation
                    ? await ApplyReportAsync(gateway.Venue, storedOpen, await reconciliation.ReportAsync(since, cancellationToken).ConfigureAwait(false), cancellationToken)
                        .ConfigureAwait(false)
                    : new VenueReconciliation(gateway.Venue, time.GetUtcNow(), 0, 0, 0, $"{gateway.Venue.DisplayName()}: cannot report orders; nothing compared.");
                logger.LogInformation("Reconciled {Venue}: {Summary}", gateway.Venue.DisplayName(), result.Summary);
                lifecycle.VenueReconciled(result);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Trading stays held until the venue answers: better idle than trade on positions that may be wrong.
                logger.LogError(ex, "Reconciling {Venue} failed; trading stays held; retrying in {Delay}", gateway.Venue.DisplayName(), delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
            }
        }
    }

    private async Task<VenueReconciliation> ApplyReportAsync(VenueId venue, List<OrderRow> storedOpen, VenueOrderReport report, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stillOpen = report.OpenClientOrderIds.ToHashSet(StringComparer.Ordinal);
        var closed = 0;
        foreach (var order in storedOpen.Where(o => !stillOpen.Contains(o.ClientOrderId)))
        {
            const string reason = "not open at the venue after a restart (reconciled)";
            writer.Enqueue(new OrderRow
            {
                ClientOrderId = order.ClientOrderId,
                OpportunityId = order.OpportunityId,
                PairId = order.PairId,
                Role = order.Role,
                Venue = order.Venue,
                Symbol = order.Symbol,
                Side = order.Side,
                LimitPrice = order.LimitPrice,
                Quantity = order.Quantity,
                TimeInForce = order.TimeInForce,
                Status = nameof(OrderStatus.Cancelled),
                FilledQuantity = order.FilledQuantity,
                Reason = reason,
                CreatedUtc = order.CreatedUtc,
                UpdatedUtc = now.UtcDateTime,
            });
            writer.Enqueue(new OrderTransitionRow
            {
                ClientOrderId = order.ClientOrderId,
                FromStatus = order.Status,
                ToStatus = nameof(OrderStatus.Cancelled),
                FilledQuantity = order.FilledQuantity,
                Reason = reason,
                AtUtc = now.UtcDateTime,
            });
            closed++;
        }

        // Fills the venue made that the records missed (a crash between the venue's report and the commit).
        var added = 0;
        if (report.Fills.Count > 0)
        {
            var work = new ApplyFillsWork(portfolio, report.Fills);
            await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
            await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var fill in work.Applied)
            {
                var order = storedOpen.FirstOrDefault(o => o.ClientOrderId == fill.ClientOrderId);
                journal.OnFill(fill, order?.OpportunityId, order?.PairId);
                added++;
            }
        }

        var known = storedOpen.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        var unknown = 0;
        if (venues.Gateways.TryGetValue(venue, out var gateway))
        {
            foreach (var id in stillOpen.Where(id => !known.Contains(id)))
            {
                await gateway.CancelAsync(id, cancellationToken).ConfigureAwait(false);
                unknown++;
            }
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var summary = $"{venue.DisplayName()}: {storedOpen.Count} order(s) recorded as open, {closed} closed as no longer open, "
            + $"{added} unrecorded fill(s) added, {unknown} unknown open order(s) cancelled.";
        return new VenueReconciliation(venue, now, closed, added, unknown, summary);
    }

    private Fill? ToFill(FillRow row)
    {
        if (!Enum.TryParse<VenueId>(row.Venue, out var venue) || !hub.Registry.TryGet(venue, row.Symbol, out var instrument)) return null;
        if (!Enum.TryParse<Side>(row.Side, out var side) || !Price.TryFromDecimal(row.Price, out var price)) return null;
        var liquidity = Enum.TryParse<Liquidity>(row.Liquidity, out var l) ? l : Liquidity.Taker;
        return new Fill(row.FillId, row.ClientOrderId, null, venue, instrument.Id, side, price, row.Quantity, row.Fee, liquidity,
            new DateTimeOffset(DateTime.SpecifyKind(row.AtUtc, DateTimeKind.Utc)));
    }

    /// <param name="startToday">
    /// Rebuilding from the records: today's PnL starts after the fills of earlier days (they are history, not today's
    /// result), at the equity they leave.
    /// </param>
    private sealed class ApplyFillsWork(DeskPortfolio portfolio, IReadOnlyList<Fill> fills, bool startToday = false) : IHubWork
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Fill> Applied { get; } = [];

        public void Execute(MarketDataHub hub)
        {
            try
            {
                var dayStarted = !startToday;
                foreach (var fill in fills)
                {
                    if (!dayStarted && !portfolio.IsBeforeToday(fill.Time))
                    {
                        portfolio.StartDayHere();
                        dayStarted = true;
                    }
                    if (portfolio.ApplyFill(fill)) Applied.Add(fill);
                }
                if (!dayStarted) portfolio.StartDayHere();
                Done.TrySetResult(Applied.Count);
            }
            catch (Exception ex)
            {
                Done.TrySetException(ex);
            }
        }
    }
}
