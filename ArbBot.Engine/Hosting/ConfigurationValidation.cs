using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

/// <summary>The venues section, keyed by venue name as written in configuration.</summary>
public sealed class VenuesOptions
{
    public const string Section = "ArbBot:Venues";

    public Dictionary<string, VenueOptions> ByName { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The enabled venues with their settings (valid only after validation passed).</summary>
    public IEnumerable<(VenueId Venue, VenueOptions Options)> Enabled =>
        ByName.Where(kv => kv.Value.Enabled).Select(kv => (Enum.Parse<VenueId>(kv.Key, ignoreCase: true), kv.Value));
}

/// <summary>
/// Checks the venues section: known names, documented tick sizes, data sources this build supports (Simulated, and
/// Real for both venues), and for a real Kalshi connection that its key can be loaded (present, owner-only file, a usable RSA key).
/// </summary>
public sealed class VenuesOptionsValidator(IOptions<KalshiOptions> kalshi) : IValidateOptions<VenuesOptions>
{
    public ValidateOptionsResult Validate(string? name, VenuesOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, venue) in options.ByName)
        {
            var path = $"{VenuesOptions.Section}:{key}";
            if (!Enum.TryParse<VenueId>(key, ignoreCase: true, out var id) || !Enum.IsDefined(id) || int.TryParse(key, out _))
            {
                failures.Add($"{path}: unknown venue '{key}' (known: {string.Join(", ", Enum.GetNames<VenueId>())}).");
                continue;
            }
            var ticks = VenueOptions.DocumentedTicks(id);
            if (!ticks.Contains(venue.TickSize))
            {
                failures.Add($"{path}:TickSize must be one of {string.Join(", ", ticks)} for {id.DisplayName()} (was {venue.TickSize}).");
            }
            if (!venue.Enabled || venue.Source == DataSource.Simulated) continue;
            if (id == VenueId.Kalshi && venue.Source == DataSource.Real)
            {
                if (KalshiKeyProblem() is { } problem) failures.Add($"{path}:Source is Real, but the Kalshi key cannot be used: {problem}");
                continue;
            }
            // Polymarket's market data is public: Real needs no credentials (its settings are checked with ArbBot:Polymarket).
            if (id == VenueId.Polymarket && venue.Source == DataSource.Real) continue;
            failures.Add($"{path}:Source '{venue.Source}' cannot feed the live desk; use 'Simulated' or 'Real' (recordings are replayed on their own desk: `replay PATH` or the Replays page).");
        }
        if (!options.ByName.Values.Any(v => v.Enabled))
        {
            failures.Add($"{VenuesOptions.Section}: no venue is enabled; enable Kalshi and/or Polymarket.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Loads the key once to prove it works; the message names the setting or file, never the key.
    private string? KalshiKeyProblem()
    {
        try
        {
            using var signer = kalshi.Value.CreateSigner(TimeProvider.System);
            return null;
        }
        catch (KalshiKeyException e)
        {
            return e.Message;
        }
    }
}

/// <summary>Checks settings that span several values.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var hasUser = !string.IsNullOrWhiteSpace(options.AdminUser);
        var hasPassword = !string.IsNullOrEmpty(options.AdminPassword);
        if (hasUser && !hasPassword)
            return ValidateOptionsResult.Fail("ArbBot:Auth:AdminPassword must be set when ArbBot:Auth:AdminUser is.");
        if (!hasUser && hasPassword)
            return ValidateOptionsResult.Fail("ArbBot:Auth:AdminUser must be set when ArbBot:Auth:AdminPassword is.");
        if (hasPassword && options.AdminPassword!.Length < 8)
            return ValidateOptionsResult.Fail("ArbBot:Auth:AdminPassword must be at least 8 characters.");
        return ValidateOptionsResult.Success;
    }
}

/// <summary>Binds the venues section, where each child's name is the venue.</summary>
public static class VenuesConfiguration
{
    public static void Bind(IConfiguration configuration, VenuesOptions options)
    {
        var section = configuration.GetSection(VenuesOptions.Section);
        var known = new[] { nameof(VenueOptions.Enabled), nameof(VenueOptions.Source), nameof(VenueOptions.TickSize) };
        foreach (var child in section.GetChildren())
        {
            // A misspelt key would leave its default silently in force: refused by name instead.
            if (child.GetChildren().FirstOrDefault(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            {
                throw new StartupConfigurationException($"{child.Path}:{unknown.Key} is not a setting (known in {child.Path}: {string.Join(", ", known)}); check its spelling.");
            }
            var venue = new VenueOptions();
            child.Bind(venue);
            options.ByName[child.Key] = venue;
        }
    }
}
