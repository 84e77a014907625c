namespace Relayguard.Cli;

/// <summary>The commands beyond run and accounts.</summary>
public static class ExtraCommands
{
    public static Task<int> RunAsync(string verb, CommandLine command) =>
        throw new UsageException($"Unknown command '{verb}'.");
}
