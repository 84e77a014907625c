namespace Relayguard.Cli;

/// <summary><c>relayguard audit</c>: the audit log through the operations API, newest first.</summary>
public static class AuditCommand
{
    internal const string Usage = "Usage: relayguard audit [--kind account|ip] [--subject SUBJECT] [--limit N] [--after CURSOR]";

    public static async Task<int> RunAsync(CommandLine command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        command.AllowOnly([.. ClientOptions.Names, "kind", "subject", "limit", "after"]);
        ClientOptions.ExpectWords(command, 1, Usage);
        var query = ClientOptions.Query(
            ("kind", command.Option("kind")),
            ("subject", command.Option("subject")),
            ("limit", command.Option("limit")),
            ("after", command.Option("after")));
        using var client = OpsApiClient.Create(command);
        var page = await client.GetAsync("api/audit" + query, cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(page));
            return ExitCodes.Ok;
        }

        var rows = JsonFields.Items(page, "items").Select(entry => new[]
        {
            JsonFields.Time(entry, "at"),
            JsonFields.Text(entry, "actor"),
            JsonFields.Text(entry, "action"),
            JsonFields.Text(entry, "kind"),
            JsonFields.Text(entry, "subject"),
            Code(entry),
            JsonFields.Text(entry, "reason"),
        }).ToList();
        output.WriteLine(Table.Render(["AT", "ACTOR", "ACTION", "KIND", "SUBJECT", "CODE", "REASON"], rows));
        ClientOptions.WriteNextPage(page, "relayguard audit", command, ["kind", "subject", "limit"], error);
        return ExitCodes.Ok;
    }

    /// <summary>The code column: an allowlist entry without a code covers every rule, which the API leaves empty.</summary>
    private static string Code(System.Text.Json.JsonElement entry)
    {
        var code = JsonFields.Text(entry, "code");
        var action = JsonFields.Text(entry, "action");
        return code.Length == 0 && action.StartsWith("allow-", StringComparison.Ordinal) ? "all" : code;
    }
}
