namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// The real components that scripts/test-env/up.sh starts, found through the variables it writes.
/// A missing component fails the test with the way to get it, never skips it.
/// </summary>
public static class TestEnvironment
{
    public static string SmtpSink => Tool("RELAYGUARD_TEST_SMTP_SINK", "/usr/sbin/smtp-sink");

    public static string Swaks => Tool("RELAYGUARD_TEST_SWAKS", "/usr/bin/swaks");

    public static string RspamdUrl => Require("RELAYGUARD_TEST_RSPAMD_URL");

    public static string RabbitMqUri => Require("RELAYGUARD_TEST_RABBITMQ_URI");

    public static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"{variable} is not set: run the tests with scripts/test.sh, or run scripts/test-env/up.sh and 'source .test-env/env.sh' first.");
        }

        return value;
    }

    private static string Tool(string variable, string fallback)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        path = string.IsNullOrWhiteSpace(path) ? fallback : path;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} does not exist: run scripts/test-env/up.sh, which installs it ({variable}).");
        }

        return path;
    }
}
