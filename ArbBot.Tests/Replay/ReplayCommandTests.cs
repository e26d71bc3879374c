using System.Diagnostics;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace ArbBot.Tests.Replay;

/// <summary>The real command, as an operator runs it: <c>dotnet ArbBot.Web.dll replay PATH --limits ...</c> in a child process.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-replay-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string workingDirectory, string databasePath, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ArbBot__Storage__SqlitePath"] = databasePath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task The_replay_command_replays_a_folder_of_recordings_prints_progress_and_the_report_and_saves_it()
    {
        var recordings = Path.Combine(_folder, "recordings");
        var harness = await PaperDeskHarness.CreateAsync(7, recordTo: recordings, beforeFirstBooks: h => h.ApproveSuggestedTruePairs());
        harness.Run(TimeSpan.FromMinutes(1));
        harness.Recorder!.Dispose();
        var database = Path.Combine(_folder, "arbbot.db");

        var (exit, output, error) = await RunAsync(_folder, database, "replay", recordings, "--limits", "MaxTradeSize=50,PairCooldown=00:00:03");

        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        Assert.Contains("100%", output);
        Assert.Contains("Replay report", output);
        Assert.Contains("hit rate", output);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, @"trades\s+[1-9]"), output);
        Assert.Contains("max drawdown", output);
        Assert.Contains("Sharpe", output);
        Assert.Contains("hub trace not followed", output);
        Assert.Contains("Report saved as replay report 1", output);
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT source, events, report_json FROM replay_reports";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("recordings", reader.GetString(0));
        Assert.True(reader.GetInt64(1) > 1_000);
        Assert.Contains("\"curve\"", reader.GetString(2));
    }

    [Fact]
    public async Task The_replay_command_refuses_bad_limits_and_a_missing_recording_with_a_clear_error()
    {
        var database = Path.Combine(_folder, "arbbot.db");
        var (exit, _, error) = await RunAsync(_folder, database, "replay", Path.Combine(_folder, "none.abrec"));
        Assert.Equal(1, exit);
        Assert.Contains("No recording file or folder", error);

        (exit, _, error) = await RunAsync(_folder, database, "replay", _folder, "--limits", "MaxTradeSize=-5");
        Assert.Equal(2, exit);
        Assert.Contains("MaxTradeSize", error);
        Assert.False(File.Exists(database));
        _ = SchemaMigrator.LatestVersion;
    }
}
