namespace Relayguard.Cli;

/// <summary><c>relayguard allow list|add|remove</c>: allowlist entries through the operations API.</summary>
public static class AllowCommand
{
    internal const string Usage = """
        Usage: relayguard allow list
               relayguard allow add account|ip SUBJECT --reason TEXT [--code CODE] [--for DURATION]
               relayguard allow remove account|ip SUBJECT [--code CODE]
        """;

    public static async Task<int> RunAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        var action = command.Words.ElementAtOrDefault(1);
        switch (action)
        {
            case "list":
                command.AllowOnly(ClientOptions.Names);
                return await ListAsync(command, output, cancellationToken);
            case "add":
                command.AllowOnly([.. ClientOptions.Names, "reason", "code", "for"]);
                return await AddAsync(command, output, cancellationToken);
            case "remove":
                command.AllowOnly([.. ClientOptions.Names, "code"]);
                return await RemoveAsync(command, output, cancellationToken);
            default:
                throw action is null
                    ? new UsageException($"Missing action: use list, add or remove.\n{Usage}")
                    : Suggestions.UnknownAction("allow", action, ["list", "add", "remove"], Usage);
        }
    }

    private static async Task<int> ListAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        ClientOptions.ExpectWords(command, 2, Usage);
        using var client = OpsApiClient.Create(command);
        var list = await client.GetAsync("api/allowlist", cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(list));
            return ExitCodes.Ok;
        }

        var rows = JsonFields.Items(list, "items").Select(entry => new[]
        {
            JsonFields.Text(entry, "kind"),
            JsonFields.Text(entry, "subject"),
            JsonFields.Text(entry, "code") is { Length: > 0 } code ? code : "all rules",
            JsonFields.Time(entry, "expiresAt", missing: "never"),
            JsonFields.Text(entry, "addedBy"),
            JsonFields.Time(entry, "addedAt"),
            JsonFields.Text(entry, "reason"),
        }).ToList();
        output.WriteLine(Table.Render(["KIND", "SUBJECT", "RULES", "EXPIRES", "ADDED BY", "ADDED", "REASON"], rows));
        return ExitCodes.Ok;
    }

    private static async Task<int> AddAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        const string AddUsage = "Usage: relayguard allow add account|ip SUBJECT --reason TEXT [--code CODE] [--for DURATION]";
        var (kind, subject) = ClientOptions.KindAndSubject(command, AddUsage);
        var reason = command.Option("reason") ?? throw new UsageException($"Missing --reason: say why the subject is exempt.\n{AddUsage}");
        using var client = OpsApiClient.Create(command);
        var (entry, status) = await client.SendForStatusAsync(
            HttpMethod.Post,
            "api/allowlist",
            new { kind, subject, code = command.Option("code"), reason, @for = command.Option("for") },
            cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(entry));
            return ExitCodes.Ok;
        }

        var rules = JsonFields.Text(entry, "code") is { Length: > 0 } code ? code : "all rules";
        // The API returns 201 for a new entry, and 200 when the entry replaced the active one of the same subject and code.
        var replaced = status == System.Net.HttpStatusCode.OK ? " It replaced the active entry for the same subject and rules." : string.Empty;
        output.WriteLine($"Allowlisted {JsonFields.Text(entry, "kind")} {JsonFields.Text(entry, "subject")} for {rules}, expires {JsonFields.Time(entry, "expiresAt", missing: "never")}.{replaced}");
        return ExitCodes.Ok;
    }

    private static async Task<int> RemoveAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        var (kind, subject) = ClientOptions.KindAndSubject(command, "Usage: relayguard allow remove account|ip SUBJECT [--code CODE]");
        using var client = OpsApiClient.Create(command);
        var result = await client.SendAsync(
            HttpMethod.Delete,
            $"api/allowlist/{kind}/{Uri.EscapeDataString(subject)}" + ClientOptions.Query(("code", command.Option("code"))),
            body: null,
            cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(result));
            return ExitCodes.Ok;
        }

        var removed = JsonFields.Items(result, "removed").Select(entry => JsonFields.Text(entry, "code") is { Length: > 0 } code ? code : "all rules");
        output.WriteLine($"Removed the allowlist entries of {kind} {JsonFields.Text(result, "subject")} for: {string.Join(", ", removed)}.");
        return ExitCodes.Ok;
    }
}
