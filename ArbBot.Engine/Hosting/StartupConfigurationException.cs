namespace ArbBot.Engine.Hosting;

/// <summary>A setting that makes start-up impossible; its message names the setting and says what is wrong.</summary>
public sealed class StartupConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
