using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Notifications;
using ArbBot.Tests.Fixtures;
using ArbBot.Web;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Web.Security;

/// <summary>
/// Sets a known, distinctive value for every secret the desk takes, runs it against the loopback fakes (Kalshi on its
/// real wire format, Discord and Telegram), exercises it (sign-in, every page, every GET API, metrics, a failing
/// notification, a bad configuration), then scans every output — logs at Debug, console, HTTP responses, start-up
/// errors and every file in the data folder (the SQLite database included) — for each secret in plain, base64 and
/// URL-encoded form.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsScanTests
{
    private const string AdminKey = "S3CRET-admin-api-key-7f3a9c1e5b";
    private const string ReadKey = "S3CRET-read-api-key-2d8e4b6a0c";
    private const string AdminPassword = "S3CRET-admin-password-9b1c7e3f5a";
    private const string PolymarketApiSecret = "S3CRET-polymarket-api-secret-4e6f8a";
    private const string PolymarketPassphrase = "S3CRET-polymarket-passphrase-1a3c5e";

    [Fact]
    public async Task No_secret_appears_in_logs_console_responses_errors_or_the_database()
    {
        var folder = Directory.CreateTempSubdirectory("arbbot-secrets-").FullName;
        var outputs = new ConcurrentBag<(string Where, byte[] Bytes)>();
        try
        {
            await using var kalshi = await FakeKalshiServer.StartAsync();
            await using var notifications = await FakeNotificationEndpoints.StartAsync();
            notifications.DiscordFailures = 2;
            var kalshiPem = kalshi.PrivateKeyPem;
            var secrets = new Dictionary<string, string>
            {
                ["admin API key"] = AdminKey,
                ["read API key"] = ReadKey,
                ["admin password"] = AdminPassword,
                // The key material, not the PEM armour every key shares.
                ["Kalshi private key"] = PemBody(kalshiPem)[..64],
                ["Kalshi private key (end)"] = PemBody(kalshiPem)[^64..],
                ["Polymarket private key"] = FakePolymarketExchangeState.PrivateKeyHex[2..],
                ["Polymarket API secret"] = PolymarketApiSecret,
                ["Polymarket API passphrase"] = PolymarketPassphrase,
                ["Discord webhook token"] = FakeNotificationEndpoints.WebhookPath.Split('/')[^1],
                ["Telegram bot token"] = FakeNotificationEndpoints.BotToken,
            };
            var settings = new Dictionary<string, string?>
            {
                ["ArbBot:Api:AdminKey"] = AdminKey,
                ["ArbBot:Api:ReadKey"] = ReadKey,
                ["ArbBot:Auth:AdminUser"] = "secrets-admin",
                ["ArbBot:Auth:AdminPassword"] = AdminPassword,
                ["ArbBot:Venues:Kalshi:Source"] = "Real",
                ["ArbBot:Kalshi:KeyId"] = FakeKalshiServer.KeyId,
                ["ArbBot:Kalshi:PrivateKeyPath"] = OwnerOnlyFile(folder, "kalshi.pem", kalshiPem),
                ["ArbBot:Kalshi:RestBaseUrl"] = kalshi.RestBaseUrl.ToString(),
                ["ArbBot:Kalshi:WebSocketUrl"] = kalshi.WebSocketUrl.ToString(),
                ["ArbBot:Kalshi:RetryBaseDelay"] = "00:00:00.020",
                ["ArbBot:Polymarket:Trading:PrivateKeyPath"] = OwnerOnlyFile(folder, "polymarket.key", FakePolymarketExchangeState.PrivateKeyHex),
                ["ArbBot:Polymarket:Trading:ApiCredentialsPath"] = OwnerOnlyFile(folder, "polymarket-api.json",
                    $$"""{"apiKey":"polymarket-api-key-id","secret":"{{PolymarketApiSecret}}","passphrase":"{{PolymarketPassphrase}}"}"""),
                ["ArbBot:Notifications:DiscordWebhookUrlFile"] = OwnerOnlyFile(folder, "discord.url", notifications.DiscordWebhookUrl),
                ["ArbBot:Notifications:TelegramBotTokenFile"] = OwnerOnlyFile(folder, "telegram.token", FakeNotificationEndpoints.BotToken),
                ["ArbBot:Notifications:TelegramApiBase"] = notifications.Root.ToString(),
            };

            var logs = new CapturingLoggerProvider();
            var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
            await using (var app = new CapturingDeskAppFactory(settings, logs, data))
            {
                await RunTheDeskAsync(app, notifications, outputs);
                outputs.Add(("console", Encoding.UTF8.GetBytes(app.ConsoleOutput.ToString())));
                await app.DisposeAsync();
                foreach (var file in Directory.GetFiles(app.DataDirectory, "*", SearchOption.AllDirectories))
                {
                    outputs.Add(($"data file {Path.GetFileName(file)}", await File.ReadAllBytesAsync(file)));
                }
            }
            outputs.Add(("logs", Encoding.UTF8.GetBytes(logs.Text())));

            // A configuration mistake next to the secrets, in the real process: the start-up error names the setting, not the values.
            secrets["too-short admin key"] = "S3CRET-short";
            var (exitCode, printed) = await RunAppWithBadSettingsAsync(folder, new Dictionary<string, string>
            {
                ["ArbBot__Api__AdminKey"] = "S3CRET-short",
                ["ArbBot__Api__ReadKey"] = ReadKey,
                ["ArbBot__Auth__AdminUser"] = "secrets-admin",
                ["ArbBot__Auth__AdminPassword"] = AdminPassword,
                ["ArbBot__Notifications__TelegramBotToken"] = FakeNotificationEndpoints.BotToken,
                ["ArbBot__Notifications__DiscordWebhookUrl"] = notifications.DiscordWebhookUrl,
            });
            Assert.Equal(2, exitCode);
            Assert.Contains("ArbBot:Api:AdminKey", printed, StringComparison.Ordinal);
            outputs.Add(("start-up error", Encoding.UTF8.GetBytes(printed)));

            var leaks = new List<string>();
            foreach (var (name, secret) in secrets)
            {
                foreach (var (form, text) in Forms(secret))
                {
                    var needle = Encoding.UTF8.GetBytes(text);
                    foreach (var (where, bytes) in outputs)
                    {
                        if (bytes.AsSpan().IndexOf(needle) >= 0) leaks.Add($"{name} ({form}) in {where}");
                    }
                }
            }
            Assert.True(outputs.Count > 30, $"only {outputs.Count} outputs were captured");
            Assert.True(leaks.Count == 0, "Secrets leaked:\n" + string.Join('\n', leaks.Distinct()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunTheDeskAsync(DeskAppFactory app, FakeNotificationEndpoints notifications, ConcurrentBag<(string, byte[])> outputs)
    {
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var commands = app.Services.GetRequiredService<DeskCommands>();

        // Alerts on, then a kill switch: Discord fails (twice) and Telegram answers.
        var saved = await commands.SetNotificationSettingsAsync("secrets-admin", new NotificationSettings
        {
            Enabled = true,
            TelegramChatId = "-1001234567890",
            Opportunities = false,
            Trades = false,
            Errors = true,
            MaxPerMinute = 10,
        }, CancellationToken.None);
        Assert.True(saved.Succeeded, string.Join(", ", saved.Errors));
        await commands.EngageKillSwitchAsync("secrets-admin", "secrets test", CancellationToken.None);
        await WaitUntilAsync(() => !notifications.TelegramMessages.IsEmpty && !notifications.DiscordMessages.IsEmpty);

        // Wrong credentials of every kind, each quoting a secret where it does not belong.
        var wrongUser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await Capture(outputs, "wrong user sign-in", await AuthTests.SignInAsync(wrongUser, "no-such-user", AdminPassword));
        await Capture(outputs, "sign-in without a user name", await AuthTests.SignInAsync(wrongUser, "", AdminPassword));
        await Capture(outputs, "wrong password", await AuthTests.SignInAsync(wrongUser, "secrets-admin", AdminPassword + "-wrong"));
        using (var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/api/status"))
        {
            wrongKey.Headers.Add("X-Api-Key", AdminKey + "x");
            await Capture(outputs, "wrong key", await anonymous.SendAsync(wrongKey));
        }
        await Capture(outputs, "bad body", await SecurityTestSupport.KeyClient(app, AdminKey).PutAsync("/api/limits",
            new StringContent($$"""{"maxTradeSize": "{{ReadKey}}"}""", Encoding.UTF8, "application/json")));

        // Signed in: every page's HTML.
        var admin = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await AuthTests.SignInAsync(admin, "secrets-admin", AdminPassword)).StatusCode);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var pages = endpoints.Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => (e.RoutePattern.RawText ?? "/").Replace("{PairIdText}", "1", StringComparison.Ordinal))
            .Select(p => p.StartsWith('/') ? p : "/" + p).Distinct().ToList();
        Assert.Contains("/notifications", pages);
        foreach (var page in pages) await Capture(outputs, $"page {page}", await admin.GetAsync(page));

        // Every GET of the API, /metrics and /health with the read key.
        var reader = SecurityTestSupport.KeyClient(app, ReadKey);
        var gets = endpoints.Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true
                && e.Metadata.GetMetadata<ComponentTypeMetadata>() is null && (e.RoutePattern.RawText ?? "").StartsWith('/')
                && !(e.RoutePattern.RawText ?? "").StartsWith("/_", StringComparison.Ordinal)
                && !e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor"))
            .Select(e => System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!, @"\{[^}]+\}", "1"))
            .Distinct().ToList();
        Assert.Contains("/api/status", gets);
        Assert.Contains("/metrics", gets);
        foreach (var path in gets) await Capture(outputs, $"GET {path}", await reader.GetAsync(path));
    }

    private static async Task<(int ExitCode, string Printed)> RunAppWithBadSettingsAsync(string folder, Dictionary<string, string> environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ArbBot__Storage__SqlitePath"] = Path.Combine(folder, "bad-start.db");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + "\n" + await stderr);
    }

    private static async Task Capture(ConcurrentBag<(string, byte[])> outputs, string where, HttpResponseMessage response)
    {
        var head = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        outputs.Add((where, [.. Encoding.UTF8.GetBytes(head + "\n"), .. await response.Content.ReadAsByteArrayAsync()]));
    }

    /// <summary>A secret as it could show up: as is, base64 (of its UTF-8, or of the key bytes), and URL-encoded.</summary>
    private static IEnumerable<(string Form, string Text)> Forms(string secret)
    {
        yield return ("plain", secret);
        yield return ("base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
        yield return ("url-encoded", Uri.EscapeDataString(secret));
        yield return ("form-encoded", WebUtility.UrlEncode(secret));
    }

    private static string PemBody(string pem) =>
        string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));

    private static string OwnerOnlyFile(string folder, string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met within 30 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>The desk with every log line at Debug and above captured in memory.</summary>
    private sealed class CapturingDeskAppFactory(Dictionary<string, string?> settings, CapturingLoggerProvider logs, string? dataDirectory = null)
        : DeskAppFactory(settings, dataDirectory: dataDirectory)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)
                .AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug));
        }
    }
}

/// <summary>Keeps every log entry (category, message, exception with its stack) as text.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public string Text() => string.Join('\n', _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"scope {category}: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
