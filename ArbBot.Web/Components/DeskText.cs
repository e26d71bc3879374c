using System.Globalization;
using ArbBot.Engine.Core;

namespace ArbBot.Web.Components;

/// <summary>How the dashboard writes numbers and times: invariant culture, dollars to the cent, edges to 1/10,000.</summary>
internal static class DeskText
{
    public static string Money(decimal amount)
    {
        var cents = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        var text = Math.Abs(cents).ToString("#,0.00", CultureInfo.InvariantCulture);
        return cents < 0m ? $"\u2212${text}" : $"${text}";
    }

    /// <summary>A per-contract or per-set amount (an edge, an average price): four decimals, minus sign when negative.</summary>
    public static string PerUnit(decimal amount)
    {
        var text = Math.Abs(Math.Round(amount, 4)).ToString("0.0000", CultureInfo.InvariantCulture);
        return amount < 0m && Math.Round(amount, 4) != 0m ? "\u2212" + text : text;
    }

    public static string Price(Price price) => price.Value.ToString("0.00##", CultureInfo.InvariantCulture);

    public static string Quantity(decimal quantity) => quantity.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"4 s ago", "3 min ago", "2 h ago".</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 90 ? $"{age.TotalSeconds:0} s ago"
            : age.TotalMinutes < 90 ? $"{age.TotalMinutes:0} min ago"
            : $"{age.TotalHours:0} h ago";
    }
}
