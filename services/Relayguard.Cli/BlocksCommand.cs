using System.Globalization;
using System.Text.Json;

namespace Relayguard.Cli;

/// <summary><c>relayguard blocks list|show|lift|add</c>: blocks through the operations API.</summary>
public static class BlocksCommand
{
    internal const string Usage = """
        Usage: relayguard blocks list [--kind account|ip] [--code CODE] [--subject SUBJECT] [--state active|expired|lifted|all] [--limit N] [--after CURSOR]
               relayguard blocks show KIND SUBJECT
               relayguard blocks lift KIND SUBJECT --reason TEXT [--code CODE]
               relayguard blocks add KIND SUBJECT [--code OP1] --reason TEXT [--for DURATION] [--scope all|null-sender]
        """;

    public static async Task<int> RunAsync(CommandLine command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var action = command.Words.ElementAtOrDefault(1);
        switch (action)
        {
            case "list":
                command.AllowOnly([.. ClientOptions.Names, "kind", "code", "subject", "state", "limit", "after"]);
                return await ListAsync(command, output, error, cancellationToken);
            case "show":
                command.AllowOnly(ClientOptions.Names);
                return await ShowAsync(command, output, cancellationToken);
            case "lift":
                command.AllowOnly([.. ClientOptions.Names, "reason", "code"]);
                return await LiftAsync(command, output, cancellationToken);
            case "add":
                command.AllowOnly([.. ClientOptions.Names, "reason", "code", "for", "scope"]);
                return await AddAsync(command, output, error, cancellationToken);
            default:
                throw action is null
                    ? new UsageException($"Missing action: use list, show, lift or add.\n{Usage}")
                    : Suggestions.UnknownAction("blocks", action, ["list", "show", "lift", "add"], Usage);
        }
    }

    private static async Task<int> ListAsync(CommandLine command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ClientOptions.ExpectWords(command, 2, Usage);
        var query = ClientOptions.Query(
            ("kind", command.Option("kind")),
            ("code", command.Option("code")),
            ("subject", command.Option("subject")),
            ("state", command.Option("state")),
            ("limit", command.Option("limit")),
            ("after", command.Option("after")));
        using var client = OpsApiClient.Create(command);
        var page = await client.GetAsync("api/blocks" + query, cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(page));
            return ExitCodes.Ok;
        }

        var rows = JsonFields.Items(page, "items").Select(block => new[]
        {
            JsonFields.Text(block, "kind"),
            JsonFields.Text(block, "subject"),
            JsonFields.Text(block, "code"),
            JsonFields.Text(block, "scope"),
            JsonFields.Text(block, "state"),
            JsonFields.Time(block, "blockedAt"),
            Expiry(block, whenNone: "until lifted"),
            JsonFields.Text(block, "reason"),
        }).ToList();
        output.WriteLine(Table.Render(["KIND", "SUBJECT", "CODE", "SCOPE", "STATE", "BLOCKED", "EXPIRES", "REASON"], rows));
        ClientOptions.WriteNextPage(page, "relayguard blocks list", command, ["kind", "code", "subject", "state", "limit"], error);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        var (kind, subject) = ClientOptions.KindAndSubject(command, "Usage: relayguard blocks show KIND SUBJECT");
        using var client = OpsApiClient.Create(command);
        var result = await client.GetAsync($"api/blocks/{kind}/{Uri.EscapeDataString(subject)}", cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(result));
            return ExitCodes.Ok;
        }

        var blocks = JsonFields.Items(result, "blocks").ToList();
        var active = blocks.Where(block => JsonFields.Text(block, "state") == "active").ToList();
        var activeCodes = active.Select(block => JsonFields.Text(block, "code")).Distinct().ToList();
        var name = $"{JsonFields.Text(result, "kind")} {JsonFields.Text(result, "subject")}";
        var addresses = active.Select(block => JsonFields.Text(block, "onIp")).Where(address => address.Length > 0).Distinct().ToList();
        var onAddresses = addresses.Count == 0 ? string.Empty : $" (on {Plural(addresses.Count, "address", "addresses")}: {string.Join(", ", addresses)})";
        output.WriteLine(activeCodes.Count == 0
            ? $"{name}: not blocked now ({Plural(blocks.Count, "earlier block", "earlier blocks")})"
            : $"{name}: blocked by {string.Join(", ", activeCodes)}{onAddresses}");
        foreach (var block in blocks)
        {
            output.WriteLine();
            WriteBlock(block, output);
        }

        return ExitCodes.Ok;
    }

    private static void WriteBlock(JsonElement block, TextWriter output)
    {
        var onIp = JsonFields.Text(block, "onIp");
        var address = onIp.Length == 0 ? string.Empty : $"  on address {onIp} ({JsonFields.Text(block, "subject")})";
        output.WriteLine($"{JsonFields.Text(block, "code")}  {JsonFields.Text(block, "state")}  scope {JsonFields.Text(block, "scope")}{address}");
        var ends = JsonFields.Text(block, "state") == "lifted" ? Expiry(block, whenNone: "") : $"expires {Expiry(block, whenNone: "never (until lifted)")}";
        output.WriteLine($"  Blocked:  {JsonFields.Time(block, "blockedAt")} by {JsonFields.Text(block, "setBy")}, {ends}");
        output.WriteLine($"  Reason:   {JsonFields.Text(block, "reason")}");
        if (block.TryGetProperty("liftedAt", out var liftedAt) && liftedAt.ValueKind == JsonValueKind.String)
        {
            output.WriteLine($"  Lifted:   {JsonFields.Time(block, "liftedAt")} by {JsonFields.Text(block, "liftedBy")}: {JsonFields.Text(block, "liftReason")}");
        }

        if (!block.TryGetProperty("evidence", out var evidence) || evidence.ValueKind != JsonValueKind.Object)
        {
            output.WriteLine($"  Evidence: {JsonFields.Text(block, "evidenceSummary")}");
            return;
        }

        output.WriteLine($"  Evidence: {JsonFields.Text(evidence, "summary")}");
        if (evidence.TryGetProperty("counts", out var counts) && counts.ValueKind == JsonValueKind.Object && counts.EnumerateObject().Any())
        {
            var pairs = counts.EnumerateObject().Select(count => $"{TerminalText.Escape(count.Name)}={count.Value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)}");
            output.WriteLine($"  Counts:   {string.Join(", ", pairs)}");
        }

        var samples = JsonFields.Items(evidence, "samples").ToList();
        if (samples.Count > 0)
        {
            var rows = samples.Select(sample => new[] { JsonFields.Text(sample, "value"), JsonFields.Time(sample, "at"), JsonFields.Text(sample, "detail") });
            output.WriteLine("  Samples:");
            foreach (var line in Table.Render(["SAMPLE", "AT", "DETAIL"], rows).Split('\n'))
            {
                output.WriteLine("    " + line);
            }
        }
        else if (block.TryGetProperty("evidenceSamplesDeletedAt", out var deleted) && deleted.ValueKind == JsonValueKind.String)
        {
            output.WriteLine($"  Samples:  deleted {JsonFields.Time(block, "evidenceSamplesDeletedAt")}");
        }

        var traceId = JsonFields.Text(evidence, "traceId");
        if (traceId.Length > 0)
        {
            output.WriteLine($"  Trace:    {traceId}");
        }
    }

    private static async Task<int> LiftAsync(CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        const string LiftUsage = "Usage: relayguard blocks lift KIND SUBJECT --reason TEXT [--code CODE]";
        var (kind, subject) = ClientOptions.KindAndSubject(command, LiftUsage);
        var reason = command.Option("reason") ?? throw new UsageException($"Missing --reason: say why the block is lifted.\n{LiftUsage}");
        using var client = OpsApiClient.Create(command);
        var result = await client.SendAsync(
            HttpMethod.Post,
            $"api/blocks/{kind}/{Uri.EscapeDataString(subject)}/lift",
            new { reason, code = command.Option("code") },
            cancellationToken);
        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(result));
            return ExitCodes.Ok;
        }

        // A lift may end several blocks: more than one code, scope or, for an account, address.
        var lifted = JsonFields.Items(result, "blocks").ToList();
        output.WriteLine($"Lifted {Plural(lifted.Count, "block", "blocks")} ({JsonFields.Text(result, "codes")}) on {JsonFields.Text(result, "kind")} {JsonFields.Text(result, "subject")}:");
        var rows = lifted.Select(block => new[]
        {
            JsonFields.Text(block, "code"),
            JsonFields.Text(block, "subject"),
            JsonFields.Text(block, "scope"),
            JsonFields.Time(block, "blockedAt"),
            JsonFields.Text(block, "reason"),
        });
        foreach (var line in Table.Render(["CODE", "SUBJECT", "SCOPE", "BLOCKED", "REASON"], rows).Split('\n'))
        {
            output.WriteLine("  " + line);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Returns how a block ends: <c>lifted TIME</c> for a lifted block, whatever its expiry was, else its expiry or <paramref name="whenNone"/>.</summary>
    private static string Expiry(JsonElement block, string whenNone) =>
        JsonFields.Text(block, "state") == "lifted"
            ? $"lifted {JsonFields.Time(block, "liftedAt")}"
            : JsonFields.Time(block, "expiresAt", missing: whenNone);

    private static string Plural(int count, string singular, string plural) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural)}");

    private static async Task<int> AddAsync(CommandLine command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        const string AddUsage = "Usage: relayguard blocks add KIND SUBJECT [--code OP1] --reason TEXT [--for DURATION] [--scope all|null-sender]";
        var (kind, subject) = ClientOptions.KindAndSubject(command, AddUsage);
        var reason = command.Option("reason") ?? throw new UsageException($"Missing --reason: say why the subject is blocked.\n{AddUsage}");
        using var client = OpsApiClient.Create(command);
        var (block, status) = await client.SendForStatusAsync(
            HttpMethod.Post,
            "api/blocks",
            new { kind, subject, code = command.Option("code") ?? "OP1", reason, @for = command.Option("for"), scope = command.Option("scope") },
            cancellationToken);

        // Warnings go to standard error, so a script that reads the JSON or the sentence is not disturbed.
        foreach (var warning in JsonFields.Items(block, "warnings"))
        {
            error.WriteLine($"relayguard: warning: {TerminalText.Escape(warning.GetString() ?? string.Empty)}");
        }

        if (command.Flag("json"))
        {
            output.WriteLine(TerminalText.Json(block));
            return ExitCodes.Ok;
        }

        // The API returns 201 for a new block, and 200 when it replaced the active block of the same subject, code and scope.
        var replaced = status == System.Net.HttpStatusCode.OK ? " It replaced the active block of the same code and scope." : string.Empty;
        output.WriteLine($"Blocked {JsonFields.Text(block, "kind")} {JsonFields.Text(block, "subject")} with {JsonFields.Text(block, "code")} (scope {JsonFields.Text(block, "scope")}), expires {JsonFields.Time(block, "expiresAt", missing: "never (until lifted)")}.{replaced}");
        return ExitCodes.Ok;
    }
}
