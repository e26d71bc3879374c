using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

/// <summary>
/// Validates an options class's DataAnnotations at start-up and words each failure with the full configuration path
/// and the value found, e.g. "ArbBot:Simulator:StepInterval must be between 00:00:00.010 and 00:00:10 (was 00:00:00.001)."
/// </summary>
public sealed class SectionValidation<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
            {
                var path = member.Length == 0 ? section : $"{section}:{member}";
                var property = member.Length == 0 ? null : typeof(TOptions).GetProperty(member);
                var secret = property?.IsDefined(typeof(SecretAttribute), inherit: true) == true;
                var value = property?.GetValue(options);
                var message = result.ErrorMessage ?? "is not valid";
                // Messages written for this project already start with the path; framework ones say "The field X ...".
                if (!message.StartsWith(path, StringComparison.Ordinal))
                {
                    message = $"{path}: {message.Replace($"The field {member} ", "", StringComparison.Ordinal)}";
                }
                var shown = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString();
                // A secret's value never appears, not even in a start-up error.
                failures.Add(secret ? $"{message.TrimEnd('.')}." : $"{message.TrimEnd('.')} (was {(string.IsNullOrEmpty(shown) ? "empty" : shown)}).");
            }
        }
        return ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Marks a setting whose value is a secret: validation messages name it but never show its value.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

public static class SectionValidationExtensions
{
    /// <summary>Binds <paramref name="section"/>, validates it with <see cref="SectionValidation{TOptions}"/> and checks it at start-up.</summary>
    public static OptionsBuilder<TOptions> BindSection<TOptions>(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, string section)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidation<TOptions>(section));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
