using System.Text.Json;
using Relayguard.Operations.Tokens;

namespace Relayguard.Cli;

/// <summary>
/// <c>relayguard tokens add|list|remove</c>: operator tokens in the local data folder. A running <c>relayguard run</c>
/// on the same folder accepts a new token at once, and rejects a removed one at the next request.
/// </summary>
public static class TokensCommand
{
    internal const string Usage = """
        Usage: relayguard tokens add NAME --role read|operate [--data DIR]
               relayguard tokens list [--data DIR]
               relayguard tokens remove NAME [--force] [--data DIR]
        """;

    public static int Run(CommandLine command, TextWriter output, TextWriter error)
    {
        var action = command.Words.ElementAtOrDefault(1);
        switch (action)
        {
            case "add":
                command.AllowOnly("data", "role", "json");
                ClientOptions.ExpectWords(command, 3, Usage, "NAME");
                return Add(command, command.Words[2], output, error);
            case "list":
                command.AllowOnly("data", "json");
                ClientOptions.ExpectWords(command, 2, Usage);
                return List(command, output);
            case "remove":
                command.AllowOnly("data", "json", "force");
                ClientOptions.ExpectWords(command, 3, Usage, "NAME");
                return Remove(command, command.Words[2], output, error);
            default:
                throw action is null
                    ? new UsageException($"Missing action: use add, list or remove.\n{Usage}")
                    : Suggestions.UnknownAction("tokens", action, ["add", "list", "remove"], Usage);
        }
    }

    private static int Add(CommandLine command, string name, TextWriter output, TextWriter error)
    {
        var role = command.Option("role") ?? throw new UsageException($"Missing --role: use read (sees everything) or operate (also lifts, blocks and changes allowlists).\n{Usage}");
        var database = AccountsCommand.OpenDatabase(command, create: true);
        var store = new SqliteTokenStore(database);
        string token;
        try
        {
            token = store.Add(name, role);
        }
        catch (ArgumentException exception)
        {
            // ArgumentException.Message ends with " (Parameter 'name')", which means nothing to an operator.
            throw new UsageException(exception.Message.Replace($" (Parameter '{exception.ParamName}')", "", StringComparison.Ordinal));
        }
        catch (InvalidOperationException exception)
        {
            error.WriteLine($"relayguard: {exception.Message}");
            return ExitCodes.Refused;
        }

        if (command.Flag("json"))
        {
            output.WriteLine(JsonSerializer.Serialize(new { name, role = role.Trim().ToLowerInvariant(), token }));
        }
        else
        {
            // The token alone on standard output, so that TOKEN=$(relayguard tokens add ...) captures it.
            output.WriteLine(token);
        }

        error.WriteLine($"Added token {name} with role {role.Trim().ToLowerInvariant()} to {database.Path}. Store it now: it is shown only once.");
        return ExitCodes.Ok;
    }

    private static int List(CommandLine command, TextWriter output)
    {
        var tokens = new SqliteTokenStore(AccountsCommand.OpenDatabase(command, create: false)).List();
        if (command.Flag("json"))
        {
            output.WriteLine(JsonSerializer.Serialize(tokens, JsonSerializerOptions.Web));
            return ExitCodes.Ok;
        }

        var rows = tokens.Select(token => new[] { token.Name, token.Role, JsonFields.Time(token.CreatedAt), token.CreatedBy });
        output.WriteLine(Table.Render(["NAME", "ROLE", "CREATED", "CREATED BY"], rows));
        return ExitCodes.Ok;
    }

    private static int Remove(CommandLine command, string name, TextWriter output, TextWriter error)
    {
        var database = AccountsCommand.OpenDatabase(command, create: false);
        var store = new SqliteTokenStore(database);
        var tokens = store.List();
        var removed = tokens.FirstOrDefault(token => token.Name == name);
        if (removed is null)
        {
            error.WriteLine($"relayguard: no token named {name}; 'relayguard tokens list' shows the names.");
            return ExitCodes.Refused;
        }

        var lastOperator = removed.Role == OperatorRoles.Operate && tokens.Count(token => token.Role == OperatorRoles.Operate) == 1;
        if (lastOperator && !command.Flag("force"))
        {
            error.WriteLine($"relayguard: {name} is the last token with the operate role; without it nobody can lift a block through the API or the console. Add another first with 'relayguard tokens add NAME --role operate', or pass --force.");
            return ExitCodes.Refused;
        }

        // The first start wrote this token to ops-token, and the CLI's messages point there, so a file that contains
        // a removed token would mislead.
        var tokenFile = Path.Combine(Path.GetDirectoryName(database.Path)!, OperatorTokens.FileName);
        var fileHeldIt = File.Exists(tokenFile) && store.Verify(ReadTokenFile(tokenFile))?.Name == name;
        store.Remove(name);
        output.WriteLine($"Removed token {name} from {database.Path}.");
        if (fileHeldIt)
        {
            File.Delete(tokenFile);
            output.WriteLine($"Deleted {tokenFile}, which held that token.");
        }

        if (lastOperator)
        {
            output.WriteLine("No token with the operate role is left: add one with 'relayguard tokens add NAME --role operate'.");
        }

        return ExitCodes.Ok;
    }

    private static string? ReadTokenFile(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
