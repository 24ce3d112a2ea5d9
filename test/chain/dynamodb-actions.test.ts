import * as fs from 'fs';
import * as path from 'path';
import { JOIN_STORE_ACTIONS } from '../../lib/chain/task-chain';
import { EXAMPLE_TASK_DATA_ACTIONS } from '../../lib/examples/chain-stacks';

/** The IAM action each DynamoDB (document) client command needs. */
const ACTION_OF: Record<string, string> = {
  Get: 'dynamodb:GetItem', Put: 'dynamodb:PutItem', Update: 'dynamodb:UpdateItem', Delete: 'dynamodb:DeleteItem',
  BatchGet: 'dynamodb:BatchGetItem', BatchWrite: 'dynamodb:BatchWriteItem', Query: 'dynamodb:Query', Scan: 'dynamodb:Scan',
  TransactGet: 'dynamodb:TransactGetItems', TransactWrite: 'dynamodb:TransactWriteItems',
  GetItem: 'dynamodb:GetItem', PutItem: 'dynamodb:PutItem', UpdateItem: 'dynamodb:UpdateItem', DeleteItem: 'dynamodb:DeleteItem',
  BatchGetItem: 'dynamodb:BatchGetItem', BatchWriteItem: 'dynamodb:BatchWriteItem', TransactGetItems: 'dynamodb:TransactGetItems', TransactWriteItems: 'dynamodb:TransactWriteItems',
};

/** The actions the commands constructed (`new XxxCommand(`) in `files` need. */
function actionsCalledIn(files: string[]): string[] {
  const actions = new Set<string>();
  for (const file of files) {
    for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/new (\w+)Command\(/g)) {
      const action = ACTION_OF[name];
      if (!action) throw new Error(`${file}: no IAM action known for ${name}Command; add it to ACTION_OF`);
      actions.add(action);
    }
  }
  return [...actions].sort();
}

const root = path.join(__dirname, '..', '..');
const tsFiles = (dir: string) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, dir, f));

describe('least privilege on chain tables', () => {
  test('GIVEN the join store code THEN task functions are granted exactly the DynamoDB actions it calls', () => {
    expect([...JOIN_STORE_ACTIONS].sort()).toEqual(actionsCalledIn([path.join(root, 'lambdas/runtime/chain/join-store.ts')]));
  });

  test('GIVEN the example tasks\' code THEN they are granted exactly the DynamoDB actions they call on the data table', () => {
    expect([...EXAMPLE_TASK_DATA_ACTIONS].sort()).toEqual(actionsCalledIn(tsFiles('lambdas/examples/chain-tasks')));
  });
});
