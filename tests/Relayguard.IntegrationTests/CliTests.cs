using System.Text.Json;
using MassTransit;
using Relayguard.Contracts;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>The real <c>relayguard</c> command, run as its own process, against one running instance shared by these tests.</summary>
public sealed class CliTests(CliTests.RunningInstance running) : IClassFixture<CliTests.RunningInstance>
{
    private readonly RelayguardInstance _instance = running.Instance!;

    [Fact]
    public async Task BlocksAdd_ListShowsAlignedRow()
    {
        var added = await RunAsync("blocks", "add", "account", "mallory", "--code", "OP1", "--reason", "abuse report 4711", "--for", "24h");
        var list = await RunAsync("blocks", "list", "--code", "OP1");

        Assert.Equal(0, added.ExitCode);
        Assert.Contains("Blocked account mallory with OP1 (scope all)", added.Output, StringComparison.Ordinal);
        Assert.Equal(0, list.ExitCode);
        var lines = list.Output.TrimEnd().Split('\n');
        Assert.StartsWith("KIND", lines[0], StringComparison.Ordinal);
        var row = Assert.Single(lines, line => line.Contains("mallory", StringComparison.Ordinal));
        Assert.Equal(lines[0].IndexOf("SUBJECT", StringComparison.Ordinal), row.IndexOf("mallory", StringComparison.Ordinal));
        Assert.Equal(lines[0].IndexOf("REASON", StringComparison.Ordinal), row.IndexOf("abuse report 4711", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlocksAdd_Again_ReplacesBlock()
    {
        await RunAsync("blocks", "add", "account", "trent", "--reason", "first report");

        var again = await RunAsync("blocks", "add", "account", "trent", "--reason", "second report", "--for", "2h");
        var list = await RunAsync("blocks", "list", "--code", "OP1");

        Assert.Equal(0, again.ExitCode);
        Assert.EndsWith("It replaced the active block of the same code and scope.", again.Output.Trim(), StringComparison.Ordinal);
        var row = Assert.Single(list.Output.Split('\n'), line => line.Contains("trent", StringComparison.Ordinal));
        Assert.Contains("second report", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksList_Json_IsApiPage()
    {
        await RunAsync("blocks", "add", "ip", "203.0.113.44", "--reason", "open proxy");

        var list = await RunAsync("blocks", "list", "--kind", "ip", "--json");

        Assert.Equal(0, list.ExitCode);
        using var page = JsonDocument.Parse(list.Output);
        var subjects = page.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("subject").GetString());
        Assert.Contains("203.0.113.44", subjects);
    }

    [Fact]
    public async Task Options_AnyPosition()
    {
        await RunAsync("blocks", "add", "account", "eve", "--reason", "phishing");

        var list = await CliRunner.RunAsync(
            ["--json", "blocks", "--ops-url", _instance.OpsUrl.ToString(), "list", "--kind=account"],
            TokenEnvironment(_instance.OperatorToken));

        Assert.Equal(0, list.ExitCode);
        Assert.Contains("\"eve\"", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_PrintsEvidence()
    {
        await RunAsync("blocks", "add", "account", "oscar", "--reason", "spam complaint");

        var shown = await RunAsync("blocks", "show", "account", "oscar");

        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("account oscar: blocked by OP1", shown.Output, StringComparison.Ordinal);
        Assert.Contains("Evidence: Blocked by hand by admin: spam complaint", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_Unknown_Exits1()
    {
        var shown = await RunAsync("blocks", "show", "account", "nobody-at-all");

        Assert.Equal(1, shown.ExitCode);
        Assert.Contains("404", shown.Error, StringComparison.Ordinal);
        Assert.Contains("No block of account 'nobody-at-all'", shown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksLift_LiftsBlock()
    {
        await RunAsync("blocks", "add", "ip", "2001:db8:5::/64", "--reason", "compromised router");

        var lifted = await RunAsync("blocks", "lift", "ip", "2001:db8:5::/64", "--reason", "router replaced");
        var shown = await RunAsync("blocks", "show", "ip", "2001:db8:5::/64");

        Assert.Equal(0, lifted.ExitCode);
        Assert.StartsWith("Lifted 1 block (OP1) on ip 2001:db8:5::/64:", lifted.Output, StringComparison.Ordinal);
        Assert.Contains("not blocked now", shown.Output, StringComparison.Ordinal);
        Assert.Contains("Lifted:", shown.Output, StringComparison.Ordinal);
        Assert.Contains("by admin: router replaced", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksLift_NothingActive_Exits1()
    {
        var lifted = await RunAsync("blocks", "lift", "account", "never-blocked", "--reason", "test");

        Assert.Equal(1, lifted.ExitCode);
        Assert.Contains("No active block", lifted.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blocks", "lift", "account", "alice")]
    [InlineData("blocks", "frobnicate")]
    [InlineData("blocks", "show", "host", "alice")]
    [InlineData("blocks", "list", "--colour", "red")]
    [InlineData("allow", "add", "account", "alice")]
    [InlineData("frobnicate")]
    public async Task Usage_Invalid_Exits2(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("relayguard: ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blocks list --bogus", "Unknown option --bogus.")]
    [InlineData("--bogus blocks list", "Unknown option --bogus.")]
    [InlineData("blocks --bogus=1 list", "Unknown option --bogus.")]
    [InlineData("blocks list --role read", "Unknown option --role for this command.")]
    [InlineData("blocks lift account eve --reason x --extra", "Unknown option --extra.")]
    [InlineData("run --smpt 127.0.0.1:2525", "Unknown option --smpt; did you mean --smtp?")]
    [InlineData("blocks list --tokenfile x", "Unknown option --tokenfile; did you mean --token-file?")]
    [InlineData("blocks list --limit", "The option --limit needs a value.")]
    [InlineData("blocks list --token-file /", "The token file '/' is a directory")]
    [InlineData("run stray", "Unexpected argument 'stray': 'relayguard run' takes options only.")]
    [InlineData("blcoks list", "Unknown command 'blcoks'; did you mean 'blocks'?")]
    [InlineData("blocks lfit", "Unknown action 'blocks lfit'; did you mean 'blocks lift'?")]
    [InlineData("allow remvoe", "Unknown action 'allow remvoe'; did you mean 'allow remove'?")]
    [InlineData("tokens lsit", "Unknown action 'tokens lsit'; did you mean 'tokens list'?")]
    [InlineData("accounts ad", "Unknown action 'accounts ad'; did you mean 'accounts add'?")]
    [InlineData("frobnicate", "Unknown command 'frobnicate'.")]
    public async Task UsageError_NamesTheProblem(string line, string expected)
    {
        var result = await CliRunner.RunAsync(line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpHelp_DescribesHelp()
    {
        var result = await CliRunner.RunAsync(["help", "help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: relayguard help [COMMAND]", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    public async Task Version_PrintsVersionAndCommit(string arg)
    {
        var result = await CliRunner.RunAsync([arg]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^relayguard \d+\.\d+\.\d+", result.Output);
    }

    [Fact]
    public async Task AccountsAdd_ShortPassword_Exits2()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-cli-").FullName;
        try
        {
            var result = await CliRunner.RunAsync(["accounts", "add", "carol", "--password-stdin", "--data", data], input: "short\n");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("the password has 5 characters; use at least 8", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task EvaluateCorpus_File_Exits2NamingIt()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await CliRunner.RunAsync(["evaluate-corpus", file]);

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"relayguard: The corpus directory '{file}' is a file:", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("accounts", "add", "zed", "--password-stdin")]
    [InlineData("tokens", "add", "t1", "--role", "read")]
    public async Task DataIsAFile_Exits2NamingIt(params string[] args)
    {
        var file = Path.Combine(Path.GetTempPath(), "relayguard-file-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, "not a folder");
        try
        {
            var result = await CliRunner.RunAsync([.. args, "--data", file], input: "long-enough-passw0rd\n");

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"relayguard: Invalid --data '{file}': the SQLite file", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("accounts", "list")]
    [InlineData("tokens", "list")]
    [InlineData("tokens", "remove", "ci")]
    public async Task NoDatabase_Exits2NamingPath(params string[] args)
    {
        var data = Path.Combine(Path.GetTempPath(), "relayguard-missing-" + Guid.NewGuid().ToString("N"));

        var result = await CliRunner.RunAsync([.. args, "--data", data]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"No Relayguard database at {Path.Combine(data, "relayguard.db")}", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task AccountsAdd_NamesDatabase()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-cli-").FullName;
        try
        {
            var result = await CliRunner.RunAsync(["accounts", "add", "dave", "--password-stdin", "--data", data], input: "long-enough-passw0rd\n");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"Added account dave to {Path.Combine(data, "relayguard.db")}.", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AccountsAdd_Capitals_StoredInLowerCase()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-cli-").FullName;
        try
        {
            var added = await CliRunner.RunAsync(["accounts", "add", "Frank", "--password-stdin", "--data", data], input: "long-enough-passw0rd\n");
            var listed = await CliRunner.RunAsync(["accounts", "list", "--data", data]);

            Assert.Equal(0, added.ExitCode);
            Assert.Equal($"Added account frank to {Path.Combine(data, "relayguard.db")}. Account names ignore case, so Frank is frank.", added.Output.Trim());
            Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith("frank", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AccountsAdd_OtherCase_NamesStoredAccount()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-cli-").FullName;
        try
        {
            await CliRunner.RunAsync(["accounts", "add", "erin", "--password-stdin", "--data", data], input: "long-enough-passw0rd\n");

            var result = await CliRunner.RunAsync(["accounts", "add", "ERIN", "--password-stdin", "--data", data], input: "another-passw0rd\n");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(
                $"Changed the password of account erin in {Path.Combine(data, "relayguard.db")}. Account names ignore case, so ERIN is erin.",
                result.Output.Trim());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("blocks", "add", "--help")]
    [InlineData("help", "blocks")]
    public async Task Help_OfCommand_ListsItsOptions(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: relayguard blocks list [--kind account|ip]", result.Output, StringComparison.Ordinal);
        Assert.Contains("[--scope all|null-sender]", result.Output, StringComparison.Ordinal);
        Assert.Contains("--token-file FILE", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_NoSubject_NamesIt()
    {
        var result = await CliRunner.RunAsync(["blocks", "show", "account"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("relayguard: Missing SUBJECT.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocks_NoAction_SaysSo()
    {
        var result = await CliRunner.RunAsync(["blocks"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("relayguard: Missing action: use list, show, lift or add.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_UnknownCommand_Exits2()
    {
        var result = await CliRunner.RunAsync(["help", "blokcs"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("relayguard: Unknown command 'blokcs'; did you mean 'blocks'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Missing_Exits2()
    {
        var result = await CliRunner.RunAsync(["blocks", "list", "--ops-url", _instance.OpsUrl.ToString()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("RELAYGUARD_OPS_TOKEN", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Invalid_Exits1()
    {
        var result = await CliRunner.RunAsync(["blocks", "list", "--ops-url", _instance.OpsUrl.ToString()], TokenEnvironment("rg_not-a-token"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not accept the operator token (401)", result.Error, StringComparison.Ordinal);
        Assert.Contains("RELAYGUARD_OPS_TOKEN", result.Error, StringComparison.Ordinal);
        Assert.Contains("--token-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenFile_IsUsed()
    {
        var file = Path.Combine(_instance.DataDirectory, "ops-token");

        var result = await CliRunner.RunAsync(["audit", "--token-file", file, "--ops-url", _instance.OpsUrl.ToString()]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("AT", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_Unreachable_Exits3()
    {
        var closedPort = Ports.Free();

        var result = await CliRunner.RunAsync(["blocks", "list", "--ops-url", $"http://127.0.0.1:{closedPort}"], TokenEnvironment(_instance.OperatorToken));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Could not connect", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpsUrlVariable_NoOption_UsesTheVariable()
    {
        var environment = new Dictionary<string, string?> { ["RELAYGUARD_OPS_TOKEN"] = _instance.OperatorToken, ["RELAYGUARD_OPS_URL"] = _instance.OpsUrl.ToString() };

        var result = await CliRunner.RunAsync(["--json", "audit", "--limit", "1"], environment);

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
    }

    [Fact]
    public async Task OpsUrlVariable_OptionGiven_OptionWins()
    {
        var environment = new Dictionary<string, string?> { ["RELAYGUARD_OPS_TOKEN"] = _instance.OperatorToken, ["RELAYGUARD_OPS_URL"] = $"http://127.0.0.1:{Ports.Free()}" };

        var result = await CliRunner.RunAsync(["audit", "--limit", "1", "--ops-url", _instance.OpsUrl.ToString()], environment);

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Fact]
    public async Task OpsUrlVariable_Invalid_NamesTheVariable()
    {
        var environment = new Dictionary<string, string?> { ["RELAYGUARD_OPS_TOKEN"] = _instance.OperatorToken, ["RELAYGUARD_OPS_URL"] = "ftp://ops.example.test" };

        var result = await CliRunner.RunAsync(["blocks", "list"], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Invalid RELAYGUARD_OPS_URL 'ftp://ops.example.test'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensAdd_PrintsWorkingToken()
    {
        var added = await CliRunner.RunAsync(["tokens", "add", "ci-reader", "--role", "read", "--data", _instance.DataDirectory]);
        var token = added.Output.Trim();
        var listed = await CliRunner.RunAsync(["tokens", "list", "--data", _instance.DataDirectory]);
        var read = await CliRunner.RunAsync(["blocks", "list", "--ops-url", _instance.OpsUrl.ToString()], TokenEnvironment(token));
        var lift = await CliRunner.RunAsync(["blocks", "lift", "account", "x", "--reason", "y", "--ops-url", _instance.OpsUrl.ToString()], TokenEnvironment(token));

        Assert.Equal(0, added.ExitCode);
        Assert.Single(added.Output.TrimEnd().Split('\n'));
        Assert.StartsWith("rg_", token, StringComparison.Ordinal);
        Assert.Contains("shown only once", added.Error, StringComparison.Ordinal);
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith("ci-reader", StringComparison.Ordinal) && line.Contains("read", StringComparison.Ordinal));
        Assert.DoesNotContain(token, listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(1, lift.ExitCode);
        Assert.Contains("403", lift.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensRemove_LastOperator_NeedsForce()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-tokens-").FullName;
        await CliRunner.RunAsync(["tokens", "add", "only-operator", "--role", "operate", "--data", data]);
        await CliRunner.RunAsync(["tokens", "add", "viewer", "--role", "read", "--data", data]);

        var refused = await CliRunner.RunAsync(["tokens", "remove", "only-operator", "--data", data]);
        var forced = await CliRunner.RunAsync(["tokens", "remove", "only-operator", "--force", "--data", data]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("only-operator is the last token with the operate role", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("No token with the operate role is left", forced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensRemove_TokenInFile_DeletesFile()
    {
        var data = Directory.CreateTempSubdirectory("relayguard-tokens-").FullName;
        var first = (await CliRunner.RunAsync(["tokens", "add", "admin", "--role", "operate", "--data", data])).Output.Trim();
        await CliRunner.RunAsync(["tokens", "add", "second-admin", "--role", "operate", "--data", data]);
        var file = Path.Combine(data, "ops-token");
        await File.WriteAllTextAsync(file, first);

        var removed = await CliRunner.RunAsync(["tokens", "remove", "admin", "--data", data]);

        Assert.Equal(0, removed.ExitCode);
        Assert.Contains($"Deleted {file}, which held that token.", removed.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task TokensRemove_TokenStopsWorking()
    {
        var token = (await CliRunner.RunAsync(["tokens", "add", "temporary", "--role", "operate", "--data", _instance.DataDirectory])).Output.Trim();

        var removed = await CliRunner.RunAsync(["tokens", "remove", "temporary", "--data", _instance.DataDirectory]);
        var read = await CliRunner.RunAsync(["blocks", "list", "--ops-url", _instance.OpsUrl.ToString()], TokenEnvironment(token));
        var again = await CliRunner.RunAsync(["tokens", "remove", "temporary", "--data", _instance.DataDirectory]);

        Assert.Equal(0, removed.ExitCode);
        Assert.Equal(1, read.ExitCode);
        Assert.Equal(1, again.ExitCode);
    }

    [Fact]
    public async Task TokensAdd_InvalidRole_Exits2()
    {
        var added = await CliRunner.RunAsync(["tokens", "add", "someone", "--role", "admin", "--data", _instance.DataDirectory]);

        Assert.Equal(2, added.ExitCode);
        Assert.Contains("Invalid role 'admin'", added.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_AddListRemove()
    {
        var added = await RunAsync("allow", "add", "ip", "198.51.100.0/24", "--reason", "provider webmail", "--code", "CA2", "--for", "30d");
        var listed = await RunAsync("allow", "list");
        var removed = await RunAsync("allow", "remove", "ip", "198.51.100.0/24");
        var again = await RunAsync("allow", "remove", "ip", "198.51.100.0/24");

        Assert.Equal(0, added.ExitCode);
        Assert.Contains("Allowlisted ip 198.51.100.0/24 for CA2", added.Output, StringComparison.Ordinal);
        Assert.Contains(listed.Output.Split('\n'), line => line.Contains("198.51.100.0/24", StringComparison.Ordinal) && line.Contains("provider webmail", StringComparison.Ordinal));
        Assert.Equal(0, removed.ExitCode);
        Assert.Contains("CA2", removed.Output, StringComparison.Ordinal);
        Assert.Equal(1, again.ExitCode);
    }

    [Fact]
    public async Task Audit_AllowlistForEveryRule_CodeAll()
    {
        Assert.Equal(0, (await RunAsync("allow", "add", "ip", "198.51.100.77", "--reason", "office gateway")).ExitCode);

        var audit = await RunAsync("audit", "--subject", "198.51.100.77");

        var row = Assert.Single(audit.Output.Split('\n'), line => line.Contains("allow-add", StringComparison.Ordinal));
        Assert.Contains(" all ", row, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blocks", "list", "--kind", "host")]
    [InlineData("blocks", "list", "--limit", "many")]
    public async Task ApiInvalidValue_Exits1(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("400", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAdd_ExistingEntry_ReportsReplaced()
    {
        var first = await RunAsync("allow", "add", "account", "repeat@example.org", "--reason", "first", "--code", "CA1");
        var second = await RunAsync("allow", "add", "account", "repeat@example.org", "--reason", "second", "--code", "CA1");

        Assert.Equal(0, first.ExitCode);
        Assert.DoesNotContain("It replaced", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("It replaced the active entry", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_ListsChanges()
    {
        await RunAsync("blocks", "add", "account", "walter", "--reason", "fraud");
        await RunAsync("blocks", "lift", "account", "walter", "--reason", "cleared");

        var audit = await RunAsync("audit", "--kind", "account", "--subject", "walter");

        Assert.Equal(0, audit.ExitCode);
        var lines = audit.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains("lift", lines[1], StringComparison.Ordinal);
        Assert.Contains("cleared", lines[1], StringComparison.Ordinal);
        Assert.Contains("block", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksList_NextPageKeepsFilters()
    {
        await RunAsync("blocks", "add", "account", "pager-one", "--reason", "paging");
        await RunAsync("blocks", "add", "account", "pager-two", "--reason", "paging");
        await RunAsync("blocks", "lift", "account", "pager-one", "--reason", "paging");
        await RunAsync("blocks", "lift", "account", "pager-two", "--reason", "paging");

        var first = await RunAsync("blocks", "list", "--state", "lifted", "--kind", "account", "--limit", "1");

        Assert.Equal(0, first.ExitCode);
        var hint = Assert.Single(first.Error.Split('\n'), line => line.StartsWith("More entries follow: ", StringComparison.Ordinal));
        Assert.Contains("relayguard blocks list --kind account --state lifted --limit 1 --after ", hint, StringComparison.Ordinal);
        var next = await RunAsync([.. hint["More entries follow: relayguard ".Length..].Trim().Split(' ')]);
        Assert.Equal(0, next.ExitCode);
        Assert.Contains("lifted", next.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksList_Lifted_ShowsLiftNotExpiry()
    {
        await RunAsync("blocks", "add", "account", "lifted-row", "--reason", "listing");
        await RunAsync("blocks", "lift", "account", "lifted-row", "--reason", "listing");

        var listed = await RunAsync("blocks", "list", "--state", "lifted", "--kind", "account");

        var row = Assert.Single(listed.Output.Split('\n'), line => line.Contains("lifted-row", StringComparison.Ordinal));
        Assert.Contains(" lifted 20", row, StringComparison.Ordinal);
        Assert.DoesNotContain("until lifted", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksList_Subject_FiltersOnServer()
    {
        await RunAsync("blocks", "add", "account", "filter-me", "--reason", "search");
        await RunAsync("blocks", "add", "account", "filter-me-not", "--reason", "search");

        var listed = await RunAsync("blocks", "list", "--subject", "FILTER-ME", "--limit", "1");

        Assert.Equal(0, listed.ExitCode);
        var rows = listed.Output.TrimEnd().Split('\n').Skip(1).ToList();
        Assert.Contains("filter-me ", Assert.Single(rows), StringComparison.Ordinal);
        Assert.DoesNotContain("More entries follow", listed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_AccountName_ShowsPerAddressBlocks()
    {
        await RunAsync("blocks", "add", "account", "ivan/127.0.0.150", "--reason", "shared address");

        var shown = await RunAsync("blocks", "show", "account", "ivan");

        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("account ivan: blocked by OP1 (on 1 address: 127.0.0.150)", shown.Output, StringComparison.Ordinal);
        Assert.Contains("on address 127.0.0.150 (ivan/127.0.0.150)", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksLift_TwoBlocks_PrintsCountAndEach()
    {
        await RunAsync("blocks", "add", "account", "judy", "--reason", "all mail");
        await RunAsync("blocks", "add", "account", "judy/127.0.0.151", "--reason", "bounces", "--scope", "null-sender");

        var lifted = await RunAsync("blocks", "lift", "account", "judy", "--code", "OP1", "--reason", "cleared");

        Assert.Equal(0, lifted.ExitCode);
        var lines = lifted.Output.TrimEnd().Split('\n');
        Assert.Equal("Lifted 2 blocks (OP1) on account judy:", lines[0]);
        Assert.Contains(lines, line => line.Contains("judy/127.0.0.151", StringComparison.Ordinal) && line.Contains("null-sender", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("judy ", StringComparison.Ordinal) && line.Contains("all mail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlocksLift_Again_NamesWhoLifted()
    {
        await RunAsync("blocks", "add", "account", "kate", "--reason", "abuse");
        await RunAsync("blocks", "lift", "account", "kate", "--reason", "explained");

        var again = await RunAsync("blocks", "lift", "account", "kate", "--reason", "explained");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("No active block on account 'kate', so nothing was lifted. admin lifted the last one (OP1) at 20", again.Error, StringComparison.Ordinal);
        Assert.Contains("UTC: explained.", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_OneEarlierBlock_Singular()
    {
        await RunAsync("blocks", "add", "account", "leo", "--reason", "abuse");
        await RunAsync("blocks", "lift", "account", "leo", "--reason", "explained");

        var shown = await RunAsync("blocks", "show", "account", "leo");

        Assert.Contains("account leo: not blocked now (1 earlier block)", shown.Output, StringComparison.Ordinal);
        Assert.Contains(", lifted 20", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("expires never", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksAdd_UnknownAccount_WarnsAndBlocks()
    {
        _instance.AddAccount("mallet", "long-enough-passw0rd");

        var added = await RunAsync("blocks", "add", "account", "malet", "--reason", "typo test");
        var known = await RunAsync("blocks", "add", "account", "mallet", "--reason", "typo test");

        Assert.Equal(0, added.ExitCode);
        Assert.Contains("Blocked account malet with OP1", added.Output, StringComparison.Ordinal);
        Assert.StartsWith("relayguard: warning: No account named 'malet' is in the local account store.", added.Error, StringComparison.Ordinal);
        Assert.Equal(0, known.ExitCode);
        Assert.DoesNotContain("warning", known.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAdd_HostBitsSet_Exits1NamingNetwork()
    {
        var added = await RunAsync("allow", "add", "ip", "127.0.0.5/24", "--reason", "webmail");

        Assert.Equal(1, added.ExitCode);
        Assert.Contains("'127.0.0.5/24' has host bits set after the /24 prefix. Use its network address, 127.0.0.0/24,", added.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksShow_ControlCharacters_Escaped()
    {
        var sample = new EvidenceSample { Value = "gone\u009b2J@example.test", Detail = "550 5.1.1 \u001b]0;owned\u0007 user unknown\r\nX", At = DateTimeOffset.UtcNow };
        await PublishBlockAsync("escape-show", "bounces\u001b[2J here", sample, countName: "invalid\u001b[31mRecipients");

        var shown = await RunAsync("blocks", "show", "account", "escape-show");

        Assert.Equal(0, shown.ExitCode);
        Assert.DoesNotContain('\u001b', shown.Output);
        Assert.DoesNotContain('\u0007', shown.Output);
        Assert.DoesNotContain('\u009b', shown.Output);
        Assert.DoesNotContain('\r', shown.Output);
        Assert.Contains(@"Reason:   bounces\x1b[2J here", shown.Output, StringComparison.Ordinal);
        Assert.Contains(@"invalid\x1b[31mRecipients=27", shown.Output, StringComparison.Ordinal);
        Assert.Contains(@"gone\u009b2J@example.test", shown.Output, StringComparison.Ordinal);
        Assert.Contains(@"550 5.1.1 \x1b]0;owned\x07 user unknown\r\nX", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlocksList_LineBreakInReason_OneRow()
    {
        var sample = new EvidenceSample { Value = "gone@example.test", Detail = "550 5.1.1 user unknown" };
        await PublishBlockAsync("escape-list", "first line\r\nCA1  forged row\tend", sample);

        var list = await RunAsync("blocks", "list", "--subject", "escape-list");
        var audit = await RunAsync("audit", "--kind", "account", "--subject", "escape-list");

        Assert.Equal(0, list.ExitCode);
        var lines = list.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(@"first line\r\nCA1  forged row\tend", lines[1], StringComparison.Ordinal);
        Assert.Equal(0, audit.ExitCode);
        var auditLines = audit.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, auditLines.Length);
        Assert.EndsWith(@"first line\r\nCA1  forged row\tend", auditLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiError_ControlCharacters_Escaped()
    {
        var shown = await RunAsync("blocks", "show", "account", "evil\u001b]0;owned\u0007");

        Assert.Equal(1, shown.ExitCode);
        Assert.DoesNotContain('\u001b', shown.Error);
        Assert.DoesNotContain('\u0007', shown.Error);
        Assert.Contains(@"Invalid account name 'evil\x1b]0;owned\x07'", shown.Error, StringComparison.Ordinal);
    }

    /// <summary>Publishes a CA1 block as the detector would, bypassing the API's checks of operator input, and waits until the API shows it.</summary>
    private async Task PublishBlockAsync(string account, string reason, EvidenceSample sample, string countName = "invalidRecipients")
    {
        var message = new AccountBlocked
        {
            EventId = Guid.NewGuid(),
            Account = account,
            Code = RuleCodes.Ca1,
            Scope = BlockScopes.All,
            Reason = reason,
            Evidence = new BlockEvidence
            {
                Summary = "27 of 90 recipients invalid (30%), thresholds 25 and 20%",
                Counts = new Dictionary<string, double> { [countName] = 27 },
                Samples = [sample],
            },
            BlockedAt = DateTimeOffset.UtcNow,
        };
        await _instance.Get<IBus>().Publish(message, context => context.MessageId = message.EventId);
        using var ops = _instance.OpsClient();
        await Wait.UntilAsync(async () => (await ops.GetAsync($"/api/blocks/account/{account}")).IsSuccessStatusCode, $"the block of {account} to be recorded");
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsync([.. args, "--ops-url", _instance.OpsUrl.ToString()], TokenEnvironment(_instance.OperatorToken));

    private static Dictionary<string, string?> TokenEnvironment(string token) => new() { ["RELAYGUARD_OPS_TOKEN"] = token };

    /// <summary>One embedded instance for the whole class, with the pickup folder and no upstream.</summary>
    public sealed class RunningInstance : IAsyncLifetime
    {
        public RelayguardInstance? Instance { get; private set; }

        public async Task InitializeAsync() => Instance = await RelayguardInstance.StartAsync([]);

        public async Task DisposeAsync()
        {
            if (Instance is not null)
            {
                await Instance.DisposeAsync();
            }
        }
    }
}
