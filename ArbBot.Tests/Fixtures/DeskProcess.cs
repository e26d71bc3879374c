using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ArbBot.Engine.Venues.Simulated;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The real app as an operator runs it (<c>dotnet ArbBot.Web.dll</c>), in a child process on loopback, with its console
/// captured line by line, so tests can stop it with SIGTERM or kill it with SIGKILL and look at what it left behind.
/// </summary>
public sealed class DeskProcess : IAsyncDisposable
{
    public const string AdminKey = "lifecycle-test-admin-key-0123456789";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DeskProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client that sends the admin API key.</summary>
    public HttpClient Http { get; }

    public int Id => _process.Id;

    /// <summary>Every line the app wrote to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the app on a free loopback port with SQLite at <paramref name="databasePath"/> and the given settings (ArbBot__X__Y form).</summary>
    public static DeskProcess Start(string databasePath, IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ArbBot__Storage__SqlitePath"] = databasePath;
        start.Environment["ArbBot__Auth__AdminUser"] = "lifecycle-admin";
        start.Environment["ArbBot__Auth__AdminPassword"] = "lifecycle-admin-password";
        start.Environment["ArbBot__Api__AdminKey"] = AdminKey;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var desk = new DeskProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) desk._lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) desk._lines.Enqueue(e.Data); };
        process.Exited += (_, _) => desk._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return desk;
    }

    /// <summary>Waits until <c>/api/status</c> answers with the given phase.</summary>
    public async Task<JsonElement> WaitForPhaseAsync(string phase, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with {_process.ExitCode}:\n{string.Join('\n', Lines.TakeLast(40))}");
            try
            {
                var status = await Http.GetFromJsonAsync<JsonElement>("/api/status");
                if (status.GetProperty("phase").GetString() == phase) return status;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The app did not reach phase {phase} in {timeout}:\n{string.Join('\n', Lines.TakeLast(40))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Approves every suggested pair that the simulator's ground truth says is the same contract; returns how many.</summary>
    public async Task<int> ApproveTruePairsAsync(int seed = 20261121)
    {
        var truth = SimulatedCatalog.Create(seed).GroundTruthMatches;
        var pairs = await Http.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested");
        var approved = 0;
        foreach (var pair in pairs.EnumerateArray())
        {
            var match = truth.FirstOrDefault(t => t.KalshiMarketKey == pair.GetProperty("kalshiMarket").GetString()
                && t.PolymarketMarketKey == pair.GetProperty("polymarketMarket").GetString());
            if (match is null) continue;
            using var response = await Http.PostAsJsonAsync($"/api/pairs/{pair.GetProperty("id").GetInt64()}/approve",
                new { mapping = match.YesIsNo ? "YesNo" : "YesYes" });
            if (response.StatusCode == HttpStatusCode.OK) approved++;
        }
        return approved;
    }

    /// <summary>Sends SIGTERM, as <c>docker stop</c> or systemd would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Sends SIGKILL: the process gets no chance to do anything.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_exited.Task, Task.Delay(timeout));
        if (done != _exited.Task) return false;
        // Exited fires before the redirected streams are drained; this waits for the last lines.
        await _process.WaitForExitAsync();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
