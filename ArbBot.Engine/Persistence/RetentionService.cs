using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Persistence;

/// <summary>How long high-rate data is kept (configuration section <c>ArbBot:Retention</c>). Trades, orders, fills, executions and the audit trail are never pruned.</summary>
public sealed class RetentionOptions
{
    public const string Section = "ArbBot:Retention";

    /// <summary>How often retention runs.</summary>
    /// <value>From 1 min to 1 day. Default 1 h.</value>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "ArbBot:Retention:Interval must be between 00:01:00 and 1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>PnL snapshots (one a minute) are kept at full granularity this long, then rolled up to the last of each hour.</summary>
    /// <value>From 1 h to 365 days. Default 7 days.</value>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = "ArbBot:Retention:PnlSnapshotsFullFor must be between 01:00:00 and 365.00:00:00")]
    public TimeSpan PnlSnapshotsFullFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Opportunities the risk gate rejected (many, repetitive) are deleted after this long; taken ones stay with their trades.</summary>
    /// <value>From 1 day to 3,650 days. Default 30 days.</value>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "ArbBot:Retention:RejectedOpportunitiesFor must be between 1.00:00:00 and 3650.00:00:00")]
    public TimeSpan RejectedOpportunitiesFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>What one retention run did.</summary>
public sealed record RetentionResult(int PnlSnapshotsRolledUp, int RejectedOpportunitiesDeleted, int RecordingFilesDeleted = 0);

/// <summary>
/// Keeps high-rate data from growing without bound, on a schedule and off the hot path: PnL snapshots older than
/// <see cref="RetentionOptions.PnlSnapshotsFullFor"/> are rolled up to one per hour (the hour's last, so the curve keeps
/// its shape and its end points), and rejected opportunities older than <see cref="RetentionOptions.RejectedOpportunitiesFor"/>
/// are deleted. Trade records (orders, transitions, fills, executions, positions) and the audit trail are never touched.
/// Recording files (book events) last written more than <see cref="Recording.RecordingOptions.KeepFor"/> ago are deleted,
/// never the file being written.
/// </summary>
public sealed class RetentionService(
    IDbContextFactory<ArbBotDbContext> contexts,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger,
    Recording.DeskRecording? recording = null) : BackgroundService
{
    /// <summary>Runs retention once as of <paramref name="now"/>.</summary>
    public async Task<RetentionResult> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var pnlCutoff = (now - o.PnlSnapshotsFullFor).UtcDateTime;
        var opportunityCutoff = (now - o.RejectedOpportunitiesFor).UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var postgres = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The last snapshot of each hour before the cutoff stays; the hour is the timestamp's first 13 characters in
        // SQLite's text form ("yyyy-MM-dd HH") and date_trunc in PostgreSQL.
        var rolled = postgres
            ? await db.Database.ExecuteSqlAsync($"""
                DELETE FROM pnl_snapshots WHERE at_utc < {pnlCutoff} AND id NOT IN (
                    SELECT MAX(id) FROM pnl_snapshots WHERE at_utc < {pnlCutoff} GROUP BY date_trunc('hour', at_utc))
                """, cancellationToken).ConfigureAwait(false)
            : await db.Database.ExecuteSqlAsync($"""
                DELETE FROM pnl_snapshots WHERE at_utc < {pnlCutoff} AND id NOT IN (
                    SELECT MAX(id) FROM pnl_snapshots WHERE at_utc < {pnlCutoff} GROUP BY substr(at_utc, 1, 13))
                """, cancellationToken).ConfigureAwait(false);
        var rejected = nameof(Strategies.OpportunityDecision.Rejected);
        var deleted = await db.Opportunities.Where(x => x.Decision == rejected && x.DetectedUtc < opportunityCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RetentionResult(rolled, deleted, PruneRecordings(now));
    }

    private int PruneRecordings(DateTimeOffset now)
    {
        if (recording is null || !Directory.Exists(recording.Directory)) return 0;
        var cutoff = (now - recording.Options.KeepFor).UtcDateTime;
        var current = recording.CurrentFile is { } file ? Path.GetFullPath(file) : null;
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(recording.Directory, "*" + Recording.RecordingFormat.FileExtension))
        {
            if (string.Equals(Path.GetFullPath(path), current, StringComparison.Ordinal) || File.GetLastWriteTimeUtc(path) >= cutoff) continue;
            try
            {
                File.Delete(path);
                deleted++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Retention could not delete the old recording {Path}", path);
            }
        }
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Not at start-up: the desk has more urgent things to do in its first minute.
            await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var result = await RunOnceAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                    if (result.PnlSnapshotsRolledUp + result.RejectedOpportunitiesDeleted + result.RecordingFilesDeleted > 0)
                    {
                        logger.LogInformation("Retention: {Pnl} PnL snapshots rolled up to hourly, {Opportunities} old rejected opportunities deleted, {Recordings} old recording files deleted",
                            result.PnlSnapshotsRolledUp, result.RejectedOpportunitiesDeleted, result.RecordingFilesDeleted);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Retention failed; it runs again in {Interval}", options.Value.Interval);
                }
                await Task.Delay(options.Value.Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
