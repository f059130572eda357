// The bibliography: every paper a strategy, objective or schedule cites (shown to students with its arXiv link).
import type { PaperRef } from './types';

export const REFS = {
  bert: {
    authors: 'Jacob Devlin, Ming-Wei Chang, Kenton Lee, Kristina Toutanova',
    year: 2019,
    title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding',
    arxiv: '1810.04805',
  },
  roberta: {
    authors:
      'Yinhan Liu, Myle Ott, Naman Goyal, Jingfei Du, Mandar Joshi, Danqi Chen, Omer Levy, Mike Lewis, Luke Zettlemoyer, Veselin Stoyanov',
    year: 2019,
    title: 'RoBERTa: A Robustly Optimized BERT Pretraining Approach',
    arxiv: '1907.11692',
  },
  wwm: {
    authors: 'Yiming Cui, Wanxiang Che, Ting Liu, Bing Qin, Ziqing Yang, Shijin Wang, Guoping Hu',
    year: 2019,
    title: 'Pre-Training with Whole Word Masking for Chinese BERT',
    arxiv: '1906.08101',
  },
  spanbert: {
    authors: 'Mandar Joshi, Danqi Chen, Yinhan Liu, Daniel S. Weld, Luke Zettlemoyer, Omer Levy',
    year: 2020,
    title: 'SpanBERT: Improving Pre-training by Representing and Predicting Spans',
    arxiv: '1907.10529',
  },
  albert: {
    authors: 'Zhenzhong Lan, Mingda Chen, Sebastian Goodman, Kevin Gimpel, Piyush Sharma, Radu Soricut',
    year: 2020,
    title: 'ALBERT: A Lite BERT for Self-supervised Learning of Language Representations',
    arxiv: '1909.11942',
  },
  pmi: {
    authors: 'Yoav Levine, Barak Lenz, Opher Lieber, Omri Abend, Kevin Leyton-Brown, Moshe Tennenholtz, Yoav Shoham',
    year: 2021,
    title: 'PMI-Masking: Principled masking of correlated spans',
    arxiv: '2010.01825',
  },
  informask: {
    authors: 'Nafis Sadeq, Canwen Xu, Julian McAuley',
    year: 2022,
    title: 'InforMask: Unsupervised Informative Masking for Language Model Pretraining',
    arxiv: '2210.11771',
  },
  hpm: {
    authors: 'Haochen Wang, Kaiyou Song, Junsong Fan, Yuxi Wang, Jin Xie, Zhaoxiang Zhang',
    year: 2023,
    title: 'Hard Patches Mining for Masked Image Modeling',
    arxiv: '2304.05919',
  },
  mosaic: {
    authors:
      'Jacob Portes, Alex Trott, Sam Havens, Daniel King, Abhinav Venigalla, Moin Nadeem, Nikhil Sardana, Daya Khudia, Jonathan Frankle',
    year: 2023,
    title: 'MosaicBERT: A Bidirectional Encoder Optimized for Fast Pretraining',
    arxiv: '2312.17482',
  },
  wettig: {
    authors: 'Alexander Wettig, Tianyu Gao, Zexuan Zhong, Danqi Chen',
    year: 2023,
    title: 'Should You Mask 15% in Masked Language Modeling?',
    arxiv: '2202.08005',
  },
  ankner: {
    authors: 'Zachary Ankner, Naomi Saphra, Davis Blalock, Jonathan Frankle, Matthew L. Leavitt',
    year: 2024,
    title: 'Dynamic Masking Rate Schedules for MLM Pretraining',
    arxiv: '2305.15096',
  },
  yang: {
    authors: 'Dongjie Yang, Zhuosheng Zhang, Hai Zhao',
    year: 2023,
    title: 'Learning Better Masking for Better Language Model Pre-training',
    arxiv: '2208.10806',
  },
  diliello: {
    authors: 'Luca Di Liello, Matteo Gabburo, Alessandro Moschitti',
    year: 2022,
    title: 'Effective Pre-Training Objectives for Transformer-based Autoencoders',
    arxiv: '2210.13536',
  },
  yamaguchi2021: {
    authors: 'Atsuki Yamaguchi, George Chrysostomou, Katerina Margatina, Nikolaos Aletras',
    year: 2021,
    title: 'Frustratingly Simple Pretraining Alternatives to Masked Language Modeling',
    arxiv: '2109.01819',
  },
  yamaguchi2023: {
    authors: 'Atsuki Yamaguchi, Hiroaki Ozaki, Terufumi Morishita, Gaku Morio, Yasuhiro Sogawa',
    year: 2023,
    title: 'How does the task complexity of masked pretraining objectives affect downstream performance?',
    arxiv: '2305.10992',
  },
  electra: {
    authors: 'Kevin Clark, Minh-Thang Luong, Quoc V. Le, Christopher D. Manning',
    year: 2020,
    title: 'ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators',
    arxiv: '2003.10555',
  },
  meap: {
    authors: 'Xialie Zhuang, Zhikai Jia, Jianjin Li, Zhenyu Zhang, Li Shen, Zheng Cao, Shiwei Liu',
    year: 2025,
    title: 'Mask-Enhanced Autoregressive Prediction: Pay Less Attention to Learn More',
    arxiv: '2502.07490',
  },
  mp3: {
    authors:
      'Shuangfei Zhai, Navdeep Jaitly, Jason Ramapuram, Dan Busbridge, Tatiana Likhomanenko, Joseph Yitan Cheng, Walter Talbott, Chen Huang, Hanlin Goh, Joshua Susskind',
    year: 2022,
    title: 'Position Prediction as an Effective Pretraining Strategy',
    arxiv: '2207.07611',
  },
  droppos: {
    authors: 'Haochen Wang, Junsong Fan, Yuxi Wang, Kaiyou Song, Tong Wang, Zhaoxiang Zhang',
    year: 2023,
    title: 'DropPos: Pre-Training Vision Transformers by Reconstructing Dropped Positions',
    arxiv: '2309.03576',
  },
  erniegram: {
    authors: 'Dongling Xiao, Yukun Li, Han Zhang, Yu Sun, Hao Tian, Hua Wu, Haifeng Wang',
    year: 2021,
    title:
      'ERNIE-Gram: Pre-Training with Explicitly N-Gram Masked Language Modeling for Natural Language Understanding',
    arxiv: '2010.12148',
  },
} as const satisfies Record<string, PaperRef>;
