namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>The exit code and output of one run of the <c>relayguard</c> command.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
