using System.Diagnostics;

namespace ArbBot.Tests.Web;

/// <summary>Starts the real app as the operator would, with one bad setting, and reads what it says.</summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("ArbBot__Venues__Foo__Source", "Simulated", "ArbBot:Venues:Foo: unknown venue 'Foo'")]
    [InlineData("ArbBot__Venues__Kalshi__TickSize", "-0.01", "ArbBot:Venues:Kalshi:TickSize must be one of")]
    [InlineData("ArbBot__Venues__Polymarket__TickSize", "0.05", "ArbBot:Venues:Polymarket:TickSize must be one of")]
    [InlineData("ArbBot__Venues__Kalshi__Source", "Replay", "ArbBot:Venues:Kalshi:Source 'Replay' cannot feed the live desk")]
    [InlineData("ArbBot__Storage__SqlitePath", "/etc/hostname/arbbot.db", "ArbBot:Storage:SqlitePath '/etc/hostname/arbbot.db' cannot be used")]
    [InlineData("ArbBot__Auth__Lockout", "00:00:01", "ArbBot:Auth:Lockout must be between")]
    [InlineData("ArbBot__Simulator__StepInterval", "00:00:00.001", "ArbBot:Simulator:StepInterval")]
    [InlineData("ArbBot__Api__AdminKey", "short", "ArbBot:Api:AdminKey must be empty or at least 16 characters")]
    [InlineData("ArbBot__Kalshi__ReadTimeout", "soon", "'ArbBot:Kalshi:ReadTimeout'")]
    [InlineData("ArbBot__Logging__Json", "maybe", "'ArbBot:Logging:Json'")]
    [InlineData("ArbBot__Kalshi__ReadTimout", "00:00:05", "ArbBot:Kalshi:ReadTimout is not a setting")]
    [InlineData("ArbBot__Portfolio__StartingBalances__Kalshi", "ten", "ArbBot:Portfolio:StartingBalances:Kalshi must be a number")]
    public async Task Bad_setting_stops_startup_with_one_line_naming_it(string variable, string value, string expected)
    {
        var (exitCode, stderr) = await RunAppAsync(variable, value);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, exitCode);
        var line = Assert.Single(lines);
        Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        if (variable.Contains("Key", StringComparison.Ordinal)) Assert.DoesNotContain(value, line, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> RunAppAsync(string variable, string value)
    {
        var data = Directory.CreateTempSubdirectory("arbbot-config-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = data,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.dll"));
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
            start.Environment["ArbBot__Storage__SqlitePath"] = Path.Combine(data, "arbbot.db");
            start.Environment["ArbBot__Auth__AdminUser"] = "config-test";
            start.Environment["ArbBot__Auth__AdminPassword"] = "config-test-password";
            start.Environment[variable] = value;
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"The app kept running with {variable}={value}; it should have refused to start. Output: {await stdout}");
            }
            return (process.ExitCode, await stderr);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
