import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { Nullable } from '@baton/contracts';
import { DATA_SOURCE, WORKFLOWS } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { stepValue, type Verdict } from '../../domain/step-value.js';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import { StepValueRuns, type StepValueFilter } from '../../store/step-value.repository.js';

/** The fewest judged occurrences a verdict needs, unless the caller asks for another. */
export const STEP_VALUE_MIN_RUNS = 100;

const VERDICTS: Verdict[] = ['consider-removing', 'keep', 'not-observable', 'too-few-runs'];
const verdictDoc = JSONSchema({
  description:
    '`consider-removing`: the step never changed a run in a sample of at least `minRuns`; `keep`: it did; `not-observable` (sources): only the model saw it and what it weighed is not recorded; `too-few-runs`: no verdict.',
});
const rateDoc = (what: string) => Nullable(`${what}; null when there is none to divide by.`);

export class SourceStatuses {
  @IsInt() @Min(0) ok!: number;
  @IsInt() @Min(0) missing!: number;
  @IsInt() @Min(0) weak!: number;
  @IsInt() @Min(0) failed!: number;
}

/** A context source: how often what decided read it. */
export class SourceValue {
  @IsString() name!: string;
  @JSONSchema({ description: 'Runs whose context step recorded the source.' })
  @IsInt()
  @Min(0)
  runs!: number;
  @ValidateNested() @Type(() => SourceStatuses) statuses!: SourceStatuses;
  @JSONSchema({ description: 'Runs where a rule that decided mentions `evidence.<name>`.' })
  @IsInt()
  @Min(0)
  readByRule!: number;
  @JSONSchema({
    description: 'Runs where a check that refused or an approval that was asked mentions it.',
  })
  @IsInt()
  @Min(0)
  readByGuard!: number;
  @JSONSchema({
    description: 'Runs read by a rule, check or approval, or escalated because it failed.',
  })
  @IsInt()
  @Min(0)
  changed!: number;
  @JSONSchema({ description: 'Runs a model decided in (it saw the source).' })
  @IsInt()
  @Min(0)
  modelDecisions!: number;
  @rateDoc('changed / runs') @IsNumber() rate!: number | null;
  @verdictDoc @IsIn(VERDICTS) verdict!: Verdict;
  @IsString() summary!: string;
}

/** A rule: how often it decided. */
export class RuleValue {
  @IsString() name!: string;
  @JSONSchema({ description: 'Decisions the rules were tried on (by rules or the model).' })
  @IsInt()
  @Min(0)
  decisions!: number;
  @IsInt() @Min(0) fired!: number;
  @rateDoc('fired / decisions') @IsNumber() rate!: number | null;
  @verdictDoc @IsIn(VERDICTS) verdict!: Verdict;
  @IsString() summary!: string;
}

/** A check: how often it refused a proposal. */
export class CheckValue {
  @IsString() name!: string;
  @Nullable('The tool it applies to; null for every tool.') @IsString() tool!: string | null;
  @JSONSchema({ description: 'Proposals validated that the check applies to.' })
  @IsInt()
  @Min(0)
  checked!: number;
  @IsInt() @Min(0) refused!: number;
  @rateDoc('refused / checked') @IsNumber() rate!: number | null;
  @verdictDoc @IsIn(VERDICTS) verdict!: Verdict;
  @IsString() summary!: string;
}

/** An approval: how often a person changed what it held. */
export class ApprovalValue {
  @JSONSchema({ description: 'Its position in `validation.approvals`, from 0.' })
  @IsInt()
  @Min(0)
  index!: number;
  @Nullable('The tool it applies to; null for every write tool.') @IsString() tool!: string | null;
  @IsString() reason!: string;
  @IsInt() @Min(0) asked!: number;
  @IsInt() @Min(0) approved!: number;
  @IsInt() @Min(0) edited!: number;
  @IsInt() @Min(0) rejected!: number;
  @JSONSchema({ description: 'Asked, with no verdict on it recorded (waiting, or superseded).' })
  @IsInt()
  @Min(0)
  noVerdict!: number;
  @rateDoc('(edited + rejected) / verdicts') @IsNumber() rate!: number | null;
  @verdictDoc @IsIn(VERDICTS) verdict!: Verdict;
  @IsString() summary!: string;
}

/** A granted tool: in how many runs it was proposed and ran. */
export class ToolValue {
  @IsString() name!: string;
  @IsIn(['read', 'write']) access!: 'read' | 'write';
  @IsInt() @Min(0) proposedRuns!: number;
  @IsInt() @Min(0) executedRuns!: number;
  @rateDoc('runs it was proposed or ran in / runs') @IsNumber() rate!: number | null;
  @verdictDoc @IsIn(VERDICTS) verdict!: Verdict;
  @IsString() summary!: string;
}

/** Decision steps by who decided. */
export class DecisionsBy {
  @IsInt() @Min(0) rules!: number;
  @IsInt() @Min(0) model!: number;
  @IsInt() @Min(0) reviewer!: number;
}

export class StepValueWindow {
  @Nullable() @IsISO8601() since!: string | null;
  @Nullable() @IsISO8601() until!: string | null;
}

/** `GET /v1/workflows/:id/step-value`: docs/outcomes.md, "Step value". */
export class StepValueAnswer {
  @IsString() workflowId!: string;
  @IsInt() @Min(1) version!: number;
  @ValidateNested() @Type(() => StepValueWindow) window!: StepValueWindow;
  @JSONSchema({ description: 'Runs of the version started in the window.' })
  @IsInt()
  @Min(0)
  runs!: number;
  @JSONSchema({
    description: "Decision steps by who decided (the decision's `decidedBy`), reviewers included.",
  })
  @ValidateNested()
  @Type(() => DecisionsBy)
  decisionsBy!: DecisionsBy;
  @JSONSchema({ description: 'The sample a verdict needs (checks, approvals: their own).' })
  @IsInt()
  @Min(1)
  minRuns!: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SourceValue) sources!: SourceValue[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => RuleValue) rules!: RuleValue[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => CheckValue) checks!: CheckValue[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => ApprovalValue) approvals!: ApprovalValue[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => ToolValue) tools!: ToolValue[];
}

/** Per step of a workflow version, how often it changed a run's course. */
@Injectable()
export class QueryStepValueUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly runs: StepValueRuns,
  ) {}

  /** The version asked for (the latest without one); 404 when the catalog does not hold it. */
  async report(
    filter: Omit<StepValueFilter, 'version'> & { version?: number },
    minRuns = STEP_VALUE_MIN_RUNS,
  ): Promise<StepValueAnswer> {
    const workflow =
      filter.version === undefined
        ? this.workflows.latest(filter.workflowId)
        : this.workflows.get(filter.workflowId, filter.version);
    if (!workflow)
      throw new TriggerError(
        TriggerErrorCode.WorkflowNotFound,
        filter.version === undefined
          ? `no workflow ${filter.workflowId}`
          : `no workflow ${filter.workflowId}@${filter.version}`,
      );
    const facts = await this.runs.facts(this.dataSource.manager, {
      ...filter,
      version: workflow.version,
    });
    return {
      workflowId: workflow.id,
      version: workflow.version,
      window: {
        since: filter.since?.toISOString() ?? null,
        until: filter.until?.toISOString() ?? null,
      },
      minRuns,
      ...stepValue(workflow, facts, minRuns),
    };
  }
}
