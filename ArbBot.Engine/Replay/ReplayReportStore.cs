using System.Text.Json;
using ArbBot.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Engine.Replay;

/// <summary>A saved replay report with its detail (curve, trades, hedge statistics) read back from JSON.</summary>
public sealed record SavedReplayReport(ReplayReportRow Row, ReplayReportDetail Detail);

/// <summary>What a saved report keeps beyond its headline columns.</summary>
public sealed record ReplayReportDetail(
    IReadOnlyList<string> Files,
    long Errors,
    long Gaps,
    long EventsDropped,
    bool Traced,
    double ElapsedSeconds,
    long Opportunities,
    long OrdersSent,
    long Fills,
    int Wins,
    HedgeStatistics Hedges,
    double CurveIntervalSeconds,
    IReadOnlyList<PnlPoint> Curve,
    IReadOnlyList<ReplayTrade> Trades);

/// <summary>Saves and reads replay reports (table <c>replay_reports</c>).</summary>
public sealed class ReplayReportStore(IDbContextFactory<ArbBotDbContext> contexts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Saves <paramref name="result"/> and returns the report's id.</summary>
    public async Task<long> SaveAsync(ReplayRunResult result, string source, DateTimeOffset started, DateTimeOffset completed, string startedBy, CancellationToken cancellationToken)
    {
        var r = result.Report;
        var detail = new ReplayReportDetail(result.Files.Select(Path.GetFileName).OfType<string>().ToList(), result.Errors, result.Gaps, result.EventsDropped, result.Traced,
            result.Elapsed.TotalSeconds, result.Opportunities, result.OrdersSent, result.Fills, r.Wins, r.Hedges, r.CurveInterval.TotalSeconds, r.Curve, r.TradeList);
        var row = new ReplayReportRow
        {
            Source = source,
            StartedUtc = started.UtcDateTime,
            CompletedUtc = completed.UtcDateTime,
            StartedBy = startedBy,
            ReplayFromUtc = result.From.UtcDateTime,
            ReplayToUtc = result.To.UtcDateTime,
            Events = result.Events,
            Trades = r.Trades,
            FinalPnl = r.FinalPnl,
            MaxDrawdown = r.MaxDrawdown,
            Sharpe = r.Sharpe is { } s && double.IsFinite(s) ? s : null,
            HitRate = r.HitRate,
            ReportJson = JsonSerializer.Serialize(detail, Json),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.ReplayReports.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return row.Id;
    }

    /// <summary>The newest reports first (headline columns only).</summary>
    public async Task<IReadOnlyList<ReplayReportRow>> ListAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.ReplayReports.AsNoTracking().OrderByDescending(r => r.Id).Take(take)
            .Select(r => new ReplayReportRow
            {
                Id = r.Id,
                Source = r.Source,
                StartedUtc = r.StartedUtc,
                CompletedUtc = r.CompletedUtc,
                StartedBy = r.StartedBy,
                ReplayFromUtc = r.ReplayFromUtc,
                ReplayToUtc = r.ReplayToUtc,
                Events = r.Events,
                Trades = r.Trades,
                FinalPnl = r.FinalPnl,
                MaxDrawdown = r.MaxDrawdown,
                Sharpe = r.Sharpe,
                HitRate = r.HitRate,
                ReportJson = "",
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SavedReplayReport?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.ReplayReports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null) return null;
        var detail = JsonSerializer.Deserialize<ReplayReportDetail>(row.ReportJson, Json)
            ?? throw new InvalidDataException($"Replay report {id} has no detail.");
        return new SavedReplayReport(row, detail);
    }
}
