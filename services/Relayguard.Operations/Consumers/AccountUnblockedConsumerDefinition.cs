namespace Relayguard.Operations.Consumers;

public sealed class AccountUnblockedConsumerDefinition() : OperationsConsumerDefinition<AccountUnblockedConsumer>("operations-account-unblocked");
