namespace Relayguard.Cli;

/// <summary>A command line the CLI cannot act on; exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
