using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

/// <summary>A configuration section bound to an options class (the start-up checks and their tests find them all here).</summary>
public sealed record BoundConfigurationSection(string Path, Type OptionsType);

/// <summary>
/// Validates an options class at start-up and words each failure with the full configuration path and the value found,
/// e.g. "ArbBot:Simulator:StepInterval must be between 00:00:00.010 and 00:00:10 (was 00:00:00.001)." Besides the class's
/// own DataAnnotations and <see cref="IValidatableObject"/> rules it refuses, for every setting: an enum value that names
/// no member (configuration binds "99" to an undefined value), a string longer than <see cref="MaxStringLength"/>
/// (lists too), a URL that is not absolute, and a key in the section that names no setting (a typo would otherwise leave
/// the default silently in force).
/// </summary>
public sealed class SectionValidation<TOptions>(string section, IConfiguration? configuration = null, IEnumerable<BoundConfigurationSection>? sections = null)
    : IValidateOptions<TOptions> where TOptions : class
{
    /// <summary>Longer than any path, key, address or PEM block a setting holds.</summary>
    public const int MaxStringLength = 4096;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                foreach (var member in result.MemberNames.DefaultIfEmpty(""))
                {
                    named.Add(member);
                    failures.Add(Describe(options, member, result.ErrorMessage));
                }
            }
        }
        foreach (var property in Settings())
        {
            if (named.Contains(property.Name)) continue;
            if (UnboundEntries(property).FirstOrDefault() is { } unbound) failures.Add(unbound);
            else if (GeneralProblem(property.GetValue(options)) is { } problem) failures.Add($"{section}:{property.Name} {problem}");
        }
        failures.AddRange(UnknownKeys());
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string Describe(TOptions options, string member, string? error)
    {
        var path = member.Length == 0 ? section : $"{section}:{member}";
        var property = member.Length == 0 ? null : typeof(TOptions).GetProperty(member);
        var secret = property?.IsDefined(typeof(SecretAttribute), inherit: true) == true;
        var value = property?.GetValue(options);
        var message = error ?? "is not valid";
        // Messages written for this project already start with the path; framework ones say "The field X ...".
        if (!message.StartsWith(path, StringComparison.Ordinal))
        {
            message = $"{path}: {message.Replace($"The field {member} ", "", StringComparison.Ordinal)}";
        }
        if (message.Contains("(was ", StringComparison.Ordinal)) return $"{message.TrimEnd('.')}.";
        var shown = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value is IEnumerable and not string ? null : value?.ToString();
        // A secret's value never appears, not even in a start-up error; collections are described by their own rules.
        if (secret || value is IEnumerable and not string) return $"{message.TrimEnd('.')}.";
        if (shown is { Length: > 200 }) shown = $"{shown.Length} characters";
        return $"{message.TrimEnd('.')} (was {(string.IsNullOrEmpty(shown) ? "empty" : shown)}).";
    }

    /// <summary>The rules every setting of its type follows, whatever its class says; null when it follows them.</summary>
    private static string? GeneralProblem(object? value)
    {
        switch (value)
        {
            case Enum e when !Enum.IsDefined(e.GetType(), e):
                return $"must be one of {string.Join(", ", Enum.GetNames(e.GetType()))} (was {e}).";
            case string s when s.Length > MaxStringLength:
                return $"must be at most {MaxStringLength} characters (was {s.Length}).";
            case Uri uri when !uri.IsAbsoluteUri:
                return $"must be an absolute URL such as https://example.com (was '{Shorten(uri.OriginalString)}').";
            case IEnumerable<string?> list:
                var index = 0;
                foreach (var item in list)
                {
                    if (item is { Length: > MaxStringLength }) return $"entry {index} must be at most {MaxStringLength} characters (was {item.Length}).";
                    index++;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The settings of the class: what configuration can set (computed properties are not settings).</summary>
    private static IEnumerable<PropertyInfo> Settings() =>
        typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.CanWrite || IsCollection(p.PropertyType)));

    /// <summary>
    /// Entries of a list or dictionary setting that configuration could not convert: the binder drops those silently
    /// (a balance of "ten" would leave the default in force), so each is named here with what it should be.
    /// </summary>
    private IEnumerable<string> UnboundEntries(PropertyInfo property)
    {
        if (configuration is null || !IsCollection(property.PropertyType)) yield break;
        var type = property.PropertyType;
        Type? keyType = null;
        Type valueType;
        if (type.IsArray) valueType = type.GetElementType()!;
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)) (keyType, valueType) = (type.GetGenericArguments()[0], type.GetGenericArguments()[1]);
        else if (type.IsGenericType && type.GetGenericArguments().Length == 1) valueType = type.GetGenericArguments()[0];
        else yield break;
        foreach (var child in configuration.GetSection($"{section}:{property.Name}").GetChildren())
        {
            var path = $"{section}:{property.Name}:{child.Key}";
            if (keyType is { IsEnum: true } && !(Enum.TryParse(keyType, child.Key, ignoreCase: true, out var key) && Enum.IsDefined(keyType, key!) && !int.TryParse(child.Key, out _)))
            {
                yield return $"{path}: '{Shorten(child.Key)}' is not one of {string.Join(", ", Enum.GetNames(keyType))}.";
            }
            else if (child.Value is { } text && !Converts(valueType, text))
            {
                yield return $"{path} must be {TypeName(valueType)} (was '{Shorten(text)}').";
            }
        }
    }

    private static bool Converts(Type type, string text)
    {
        if (type == typeof(string)) return true;
        try
        {
            return System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text) is not null;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(decimal) || type == typeof(double) => "a number",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:01.500",
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ => $"a {type.Name}",
    };

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>Keys in this section that name neither a setting of the class nor a section of its own.</summary>
    private IEnumerable<string> UnknownKeys()
    {
        if (configuration is null) yield break;
        var known = Settings().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var others = (sections ?? []).Select(s => s.Path).ToList();
        foreach (var child in configuration.GetSection(section).GetChildren())
        {
            if (known.Contains(child.Key)) continue;
            var path = $"{section}:{child.Key}";
            if (others.Any(o => o.Equals(path, StringComparison.OrdinalIgnoreCase) || o.StartsWith(path + ":", StringComparison.OrdinalIgnoreCase))) continue;
            yield return $"{path} is not a setting (known in {section}: {string.Join(", ", known.Order(StringComparer.Ordinal))}); check its spelling.";
        }
    }

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);
}

/// <summary>Marks a setting whose value is a secret: validation messages name it but never show its value.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

public static class SectionValidationExtensions
{
    /// <summary>Binds <paramref name="section"/>, validates it with <see cref="SectionValidation{TOptions}"/> and checks it at start-up.</summary>
    public static OptionsBuilder<TOptions> BindSection<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        services.AddSingleton(new BoundConfigurationSection(section, typeof(TOptions)));
        services.AddSingleton<IValidateOptions<TOptions>>(sp =>
            new SectionValidation<TOptions>(section, configuration, sp.GetServices<BoundConfigurationSection>()));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
