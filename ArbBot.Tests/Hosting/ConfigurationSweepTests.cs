using System.Collections;
using System.Reflection;
using ArbBot.Engine.Hosting;
using ArbBot.Web;
using ArbBot.Web.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArbBot.Tests.Hosting;

/// <summary>
/// Every setting the app binds, found from its own registrations (so a new options class or property is swept without
/// anyone listing it): each is given values that must be refused — wrong type, out of range, undefined enum, too long,
/// not a URL — and start-up must stop with exactly one line that names the setting's full key, never its secret value.
/// The start-up checks run as the host runs them (<see cref="IStartupValidator"/>), the lines are what the app prints
/// (<see cref="StartupErrors.Describe"/>); <c>StartupConfigurationTests</c> proves the real process prints them.
/// </summary>
public sealed class ConfigurationSweepTests
{
    // Properties where every value of their type is valid, with the reason.
    private static readonly Dictionary<string, string> AnyValueValid = new(StringComparer.Ordinal)
    {
        ["ArbBot:Simulator:Seed"] = "any integer seeds the simulator",
    };

    // Format rules a type alone cannot express: the setting, a bad value, and what the message must say.
    public static TheoryData<string, string, string> FormatCases() => new()
    {
        { "ArbBot:Storage:SqlitePath", "", "ArbBot:Storage:SqlitePath must name a file" },
        { "ArbBot:Portfolio:TimeZone", "Mars/Olympus_Mons", "ArbBot:Portfolio:TimeZone" },
        { "ArbBot:Portfolio:TimeZone", "", "ArbBot:Portfolio:TimeZone" },
        { "ArbBot:Web:KnownProxies:0", "not-an-ip", "ArbBot:Web:KnownProxies:0 must be an IP address" },
        { "ArbBot:Auth:AdminUser", "bad user!", "ArbBot:Auth:AdminUser may only contain" },
        { "ArbBot:Polymarket:Trading:ChainId", "1", "ArbBot:Polymarket:Trading:ChainId must be 137" },
        { "ArbBot:Polymarket:Trading:FunderAddress", "0x12", "ArbBot:Polymarket:Trading:FunderAddress" },
        { "ArbBot:Polymarket:Trading:ClobUrl", "wss://clob.example.com", "ArbBot:Polymarket:Trading:ClobUrl must be an absolute http(s) URL" },
        { "ArbBot:Polymarket:GammaUrl", "wss://gamma.example.com", "ArbBot:Polymarket:GammaUrl must be an absolute http or https URL" },
        { "ArbBot:Polymarket:MarketWebSocketUrl", "https://ws.example.com", "ArbBot:Polymarket:MarketWebSocketUrl must be an absolute ws or wss URL" },
        { "ArbBot:Polymarket:EventSlugs:0", " ", "ArbBot:Polymarket:EventSlugs" },
        { "ArbBot:Kalshi:RestBaseUrl", "ftp://kalshi.example.com", "ArbBot:Kalshi:RestBaseUrl must be an absolute http or https URL" },
        { "ArbBot:Kalshi:WebSocketUrl", "https://kalshi.example.com/ws", "ArbBot:Kalshi:WebSocketUrl must be an absolute ws or wss URL" },
        { "ArbBot:Kalshi:SeriesTickers:0", " ", "ArbBot:Kalshi:SeriesTickers may not hold empty entries" },
        { "ArbBot:Notifications:TelegramApiBase", "ftp://telegram.example.com", "ArbBot:Notifications:TelegramApiBase must be an absolute http or https URL" },
        { "ArbBot:Venues:Kalshi:TickSize", "0.05", "ArbBot:Venues:Kalshi:TickSize must be one of" },
        { "ArbBot:Venues:Kalshi:Source", "Replay", "ArbBot:Venues:Kalshi:Source 'Replay' cannot feed the live desk" },
        // A key that names no setting would leave the default silently in force.
        { "ArbBot:Kalshi:ReadTimout", "00:00:05", "ArbBot:Kalshi:ReadTimout is not a setting" },
        { "ArbBot:Polymarket:Tradng:ApiKey", "x", "ArbBot:Polymarket:Tradng is not a setting" },
        { "ArbBot:Moed", "Live", "ArbBot:Moed is not a setting" },
        { "ArbBot:Venues:Kalshi:Sourse", "Real", "ArbBot:Venues:Kalshi:Sourse" },
    };

    public static TheoryData<string> Settings()
    {
        var data = new TheoryData<string>();
        foreach (var (key, _) in DiscoverSettings()) data.Add(key);
        return data;
    }

    [Fact]
    public void The_default_configuration_passes_every_start_up_check()
    {
        Assert.Empty(StartupProblems([]));
    }

    [Fact]
    public void The_sweep_finds_every_bound_section_and_its_settings()
    {
        var settings = DiscoverSettings().Select(s => s.Key).ToList();
        // Spot checks that discovery reaches the engine's, the venues' and the web host's sections alike.
        Assert.Contains("ArbBot:Kalshi:ReadTimeout", settings);
        Assert.Contains("ArbBot:Polymarket:Trading:PrivateKey", settings);
        Assert.Contains("ArbBot:Venues:Kalshi:TickSize", settings);
        Assert.Contains("ArbBot:Web:LoginRateWindow", settings);
        Assert.Contains("ArbBot:Logging:Json", settings);
        Assert.Contains("ArbBot:Notifications:TelegramApiBase", settings);
        Assert.True(settings.Count >= 100, $"only {settings.Count} settings found");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_bad_value_of_a_setting_stops_start_up_with_one_line_naming_it(string key)
    {
        var property = DiscoverSettings().Single(s => s.Key == key).Property;
        var cases = BadValues(key, property).ToList();
        if (AnyValueValid.ContainsKey(key)) cases = cases.Where(c => c.Value == NotOfType).ToList();
        Assert.True(cases.Count > 0, $"{key} ({property.PropertyType.Name}): the sweep knows no bad value for this type; teach BadValues about it.");
        var secret = property.IsDefined(typeof(SecretAttribute));
        foreach (var (setting, value) in cases)
        {
            var lines = StartupProblems(new() { [setting] = value });
            Assert.True(lines.Count == 1, $"{setting}={Shown(value)} gave {lines.Count} start-up errors, expected one:\n{string.Join("\n", lines)}");
            Assert.Contains(key, lines[0], StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\n', lines[0]);
            if (secret && value.Length >= 8) Assert.DoesNotContain(value[..8], lines[0], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(FormatCases))]
    public void A_value_in_the_wrong_format_stops_start_up_with_one_line_naming_it(string setting, string value, string expected)
    {
        var lines = StartupProblems(new() { [setting] = value });

        var line = Assert.Single(lines);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ArbBot:Api:AdminKey", "TopSecretApiKey")]
    [InlineData("ArbBot:Auth:AdminPassword", "sekrit7")]
    [InlineData("ArbBot:Polymarket:Trading:ApiSecret", "SuperSecretValue-4096")]
    public void A_refused_secret_is_named_but_its_value_never_shown(string setting, string value)
    {
        var settings = new Dictionary<string, string?> { [setting] = value };
        if (setting == "ArbBot:Polymarket:Trading:ApiSecret") settings[setting] = "SuperSecretValue-" + new string('9', SectionValidation<object>.MaxStringLength);

        var line = Assert.Single(StartupProblems(settings));

        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.DoesNotContain(value[..7], line, StringComparison.Ordinal);
    }

    private const string NotOfType = "not-of-its-type";

    /// <summary>Values no setting of the property's type may take; collections get them at index 0 or under a venue key.</summary>
    private static IEnumerable<(string Setting, string Value)> BadValues(string key, PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var tooLong = "Zq" + new string('x', SectionValidation<object>.MaxStringLength);
        if (type == typeof(bool)) return [(key, NotOfType)];
        if (type.IsEnum) return [(key, NotOfType), (key, "99")];
        if (type == typeof(int) || type == typeof(long) || type == typeof(decimal) || type == typeof(double))
            return [(key, NotOfType), (key, "-1000000000"), (key, "1000000000")];
        if (type == typeof(TimeSpan)) return [(key, NotOfType), (key, "-00:00:01"), (key, "3651.00:00:00")];
        if (type == typeof(string)) return [(key, tooLong)];
        if (type == typeof(Uri)) return [(key, "not a url"), (key, "https://" + tooLong)];
        if (type == typeof(List<string>)) return [($"{key}:0", tooLong)];
        if (type == typeof(List<int>)) return [($"{key}:0", NotOfType), ($"{key}:0", "-5")];
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0].IsEnum)
        {
            var first = Enum.GetNames(type.GetGenericArguments()[0])[0];
            var valueType = type.GetGenericArguments()[1];
            var valid = valueType == typeof(TimeSpan) ? "00:00:00.100" : "1";
            var outOfRange = valueType == typeof(TimeSpan) ? new[] { "-00:00:01", "3651.00:00:00" } : ["-1000000000", "1000000000"];
            return [($"{key}:{first}", NotOfType), .. outOfRange.Select(v => ($"{key}:{first}", v)), ($"{key}:Bogus", valid)];
        }
        return [];
    }

    private static string Shown(string value) => value.Length > 40 ? $"{value[..20]}… ({value.Length} chars)" : $"'{value}'";

    /// <summary>Every settable property of every bound section, by its full configuration key.</summary>
    private static IEnumerable<(string Key, PropertyInfo Property)> DiscoverSettings()
    {
        var services = new ServiceCollection();
        Register(services, new ConfigurationBuilder().Build());
        foreach (var section in services.Where(d => d.ServiceType == typeof(BoundConfigurationSection))
                     .Select(d => (BoundConfigurationSection)d.ImplementationInstance!).DistinctBy(s => s.Path).OrderBy(s => s.Path, StringComparer.Ordinal))
        {
            // The venues section is keyed by venue: each venue's settings are swept under Kalshi's name.
            var (path, type) = section.OptionsType == typeof(VenuesOptions)
                ? ($"{section.Path}:Kalshi", typeof(VenueOptions))
                : (section.Path, section.OptionsType);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                         .Where(p => p.CanWrite || (p.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.Name != nameof(VenuesOptions.ByName))))
            {
                yield return ($"{path}:{property.Name}", property);
            }
        }
    }

    private static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddArbBotEngine(configuration);
        services.AddArbBotWeb(configuration);
        services.AddArbBotWebSecurity(configuration);
    }

    /// <summary>What the app would print at start-up with these settings on top of a working configuration.</summary>
    private static IReadOnlyList<string> StartupProblems(Dictionary<string, string?> settings)
    {
        var data = Path.Combine(Path.GetTempPath(), "arbbot-sweep");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArbBot:Storage:SqlitePath"] = Path.Combine(data, "arbbot.db"),
            ["ArbBot:Venues:Kalshi:Source"] = "Simulated",
            ["ArbBot:Venues:Polymarket:Source"] = "Simulated",
            ["ArbBot:Auth:AdminUser"] = "sweep",
            ["ArbBot:Auth:AdminPassword"] = "sweep-password",
        }).AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        Register(services, configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (Exception e)
        {
            var lines = StartupErrors.Describe(e);
            Assert.True(lines.Count > 0, $"Start-up failed with an error the app does not describe as a configuration mistake: {e}");
            return lines;
        }
    }
}
