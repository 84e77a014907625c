namespace Relayguard.Cli;

/// <summary>Dispatches the commands beyond <c>run</c> and <c>accounts</c>: the API client commands and the local token store.</summary>
public static class ExtraCommands
{
    public static async Task<int> RunAsync(string verb, CommandLine command, CancellationToken cancellationToken = default)
    {
        var output = Console.Out;
        var error = Console.Error;
        return verb switch
        {
            "blocks" => await BlocksCommand.RunAsync(command, output, error, cancellationToken),
            "allow" => await AllowCommand.RunAsync(command, output, cancellationToken),
            "audit" => await AuditCommand.RunAsync(command, output, error, cancellationToken),
            "tokens" => TokensCommand.Run(command, output, error),
            _ => throw Suggestions.UnknownCommand(verb),
        };
    }
}
