// suanli-wallet: keys, transactions and queries from a terminal (wallet/cli.h).
#include "wallet/cli.h"

int main(int argc, char** argv) { return suanli::wallet::run_wallet(argc, argv); }
